import {
  ContextMutationError,
  FrozenContext,
  Treatment,
  ValidationError,
  treatment,
} from '@crystallize/core';

describe('treatment', () => {
  it('adds the keys of a map treatment to the context', () => {
    const t = treatment('double', { scale_factor: 2, label: 'x2' });
    expect(t).toBeInstanceOf(Treatment);
    expect(t.name).toBe('double');
    expect(t.values).toEqual({ scale_factor: 2, label: 'x2' });
    const ctx = new FrozenContext({ other: 1 });
    t.apply(ctx);
    expect(ctx.toObject()).toEqual({ other: 1, scale_factor: 2, label: 'x2' });
  });

  it('runs a function treatment against the context', () => {
    const t = treatment('noisy', (ctx) => ctx.add('noise', Number(ctx.get('base', 0)) + 0.1));
    expect(t.values).toBeUndefined();
    const ctx = new FrozenContext({ base: 1 });
    t.apply(ctx);
    expect(ctx.get('noise')).toBeCloseTo(1.1);
  });

  it('applies to many contexts without sharing state', () => {
    const t = treatment('double', { scale_factor: 2 });
    const a = new FrozenContext();
    const b = new FrozenContext();
    t.apply(a);
    t.apply(b);
    expect(a.get('scale_factor')).toBe(2);
    expect(b.get('scale_factor')).toBe(2);
  });

  it('is not changed by mutating the map after declaring it', () => {
    const values = { k: 1 };
    const t = treatment('t', values);
    values.k = 2;
    const ctx = new FrozenContext();
    t.apply(ctx);
    expect(ctx.get('k')).toBe(1);
    expect(Object.isFrozen(t.values)).toBe(true);
  });

  it('cannot overwrite a key that the context already holds', () => {
    const ctx = new FrozenContext({ scale_factor: 1 });
    expect(() => treatment('double', { scale_factor: 2 }).apply(ctx)).toThrow(ContextMutationError);
  });

  it('accepts a treatment named baseline', () => {
    expect(treatment('baseline', { a: 1 }).name).toBe('baseline');
  });

  it.each([[''], ['has space'], ['a/b'], ['../up'], ['x:y']])(
    'rejects the invalid name %p, since names become folder names',
    (name) => {
      expect(() => treatment(name, { a: 1 })).toThrow(ValidationError);
      expect(() => treatment(name, { a: 1 })).toThrow(/letters, digits/);
    },
  );

  it('accepts letters, digits, underscores, dashes and dots', () => {
    expect(treatment('lr_0.01-v2', {}).name).toBe('lr_0.01-v2');
  });

  it('rejects a change that is neither a map nor a function', () => {
    expect(() => treatment('t', 5 as never)).toThrow(/expected a \{ key: value \} map/);
    expect(() => treatment('t', null as never)).toThrow(ValidationError);
  });

  it('describes its definition so a change to it can be noticed', () => {
    expect(treatment('t', { a: 1 }).definition).toEqual({ name: 't', values: { a: 1 } });
    const f1 = treatment('t', (ctx) => ctx.add('a', 1)).definition;
    const f2 = treatment('t', (ctx) => ctx.add('a', 2)).definition;
    expect(f1).not.toEqual(f2);
    expect(f1).toEqual(treatment('t', (ctx) => ctx.add('a', 1)).definition);
  });
});
