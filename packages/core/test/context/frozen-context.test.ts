import {
  ContextMutationError,
  CrystallizeError,
  FrozenContext,
  RESERVED_CONTEXT_KEYS,
  standaloneContext,
} from '@crystallize/core';

describe('FrozenContext keys', () => {
  it('reads initial values with get, has and keys', () => {
    const ctx = new FrozenContext({ a: 1, b: 'two' });
    expect(ctx.get('a')).toBe(1);
    expect(ctx.has('b')).toBe(true);
    expect(ctx.has('c')).toBe(false);
    expect(ctx.keys()).toEqual(['a', 'b']);
    expect(ctx.toObject()).toEqual({ a: 1, b: 'two' });
  });

  it('returns undefined or the fallback for a missing key, but not for a present one', () => {
    const ctx = new FrozenContext({ zero: 0, nothing: undefined });
    expect(ctx.get('missing')).toBeUndefined();
    expect(ctx.get('missing', 10)).toBe(10);
    expect(ctx.get('zero', 10)).toBe(0);
    expect(ctx.get('nothing', 10)).toBeUndefined();
  });

  it('adds new keys', () => {
    const ctx = new FrozenContext();
    ctx.add('a', 1);
    expect(ctx.get('a')).toBe(1);
    expect(ctx.keys()).toEqual(['a']);
  });

  it("refuses to overwrite a key with ContextMutationError: Cannot mutate existing key 'a'", () => {
    const ctx = new FrozenContext({ a: 1 });
    expect(() => ctx.add('a', 2)).toThrow(ContextMutationError);
    expect(() => ctx.add('a', 2)).toThrow("Cannot mutate existing key 'a'");
    ctx.add('b', 1);
    expect(() => ctx.add('b', 1)).toThrow("Cannot mutate existing key 'b'");
    expect(ctx.get('a')).toBe(1);
  });

  it('makes ContextMutationError a CrystallizeError', () => {
    const ctx = new FrozenContext({ a: 1 });
    let caught: unknown;
    try {
      ctx.add('a', 2);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CrystallizeError);
    expect((caught as Error).name).toBe('ContextMutationError');
  });

  it.each(RESERVED_CONTEXT_KEYS.map((k) => [k]))(
    'refuses to add the reserved key %p from user code',
    (key) => {
      const ctx = new FrozenContext();
      expect(() => ctx.add(key, 1)).toThrow(ContextMutationError);
      expect(() => ctx.add(key, 1)).toThrow(new RegExp(`reserved key '${key}'`));
      expect(ctx.has(key)).toBe(false);
    },
  );

  it('reserves exactly replicate, condition, seed_used and step_name', () => {
    expect([...RESERVED_CONTEXT_KEYS].sort()).toEqual([
      'condition',
      'replicate',
      'seed_used',
      'step_name',
    ]);
  });

  it('reports the running step under step_name once the runner names it', () => {
    const ctx = new FrozenContext({ a: 1 });
    expect(ctx.has('step_name')).toBe(false);
    ctx.enterStep('ScaleData');
    expect(ctx.get('step_name')).toBe('ScaleData');
    expect(ctx.keys()).toContain('step_name');
    expect(() => ctx.add('step_name', 'x')).toThrow(ContextMutationError);
  });

  it('tells provenance about every key read', () => {
    const reads: string[] = [];
    const ctx = new FrozenContext({ a: 1 }, { onRead: (k) => reads.push(k) });
    ctx.get('a');
    ctx.get('missing', 0);
    expect(reads).toEqual(['a', 'missing']);
  });
});

describe('standaloneContext', () => {
  it('builds a baseline context for replicate 0 with the given values', () => {
    const ctx = standaloneContext({ factor: 2 });
    expect(ctx).toBeInstanceOf(FrozenContext);
    expect(ctx.get('replicate')).toBe(0);
    expect(ctx.get('condition')).toBe('baseline');
    expect(ctx.get('factor')).toBe(2);
  });

  it('lets the caller set the reserved keys it starts with', () => {
    const ctx = standaloneContext({ replicate: 3, condition: 'double' });
    expect(ctx.get('replicate')).toBe(3);
    expect(ctx.get('condition')).toBe('double');
  });
});

describe('no aliasing between the context and its callers', () => {
  it('is not changed by mutating the initial object or its nested values afterwards', () => {
    const initial = { cfg: { depth: 1, tags: ['a'] }, flat: 1 };
    const ctx = new FrozenContext(initial);
    initial.cfg.depth = 2;
    initial.cfg.tags.push('b');
    initial.flat = 2;
    expect(ctx.get('cfg')).toEqual({ depth: 1, tags: ['a'] });
    expect(ctx.get('flat')).toBe(1);
  });

  it('is not changed by mutating an object after passing it to add', () => {
    const value = { nested: { list: [1, 2] } };
    const ctx = new FrozenContext();
    ctx.add('v', value);
    value.nested.list.push(3);
    value.nested = { list: [] };
    expect(ctx.get('v')).toEqual({ nested: { list: [1, 2] } });
  });

  it('refuses mutation of objects and arrays returned by get, at any depth', () => {
    const ctx = new FrozenContext({ o: { a: 1, inner: { b: [1, 2] } } });
    const got = ctx.get<{ a: number; inner: { b: number[] } }>('o')!;
    expect(() => {
      got.a = 2;
    }).toThrow(TypeError);
    expect(() => {
      got.inner.b.push(3);
    }).toThrow(TypeError);
    expect(() => {
      (got.inner as Record<string, unknown>)['c'] = 1;
    }).toThrow(TypeError);
    expect(ctx.get('o')).toEqual({ a: 1, inner: { b: [1, 2] } });
  });

  it('copies a Map on the way in and refuses mutation of the one returned', () => {
    const source = new Map<string, unknown>([['k', { v: 1 }]]);
    const ctx = new FrozenContext({ m: source });
    source.set('k2', 2);
    (source.get('k') as { v: number }).v = 9;
    const got = ctx.get<Map<string, unknown>>('m')!;
    expect(got).toBeInstanceOf(Map);
    expect([...got.keys()]).toEqual(['k']);
    expect(got.get('k')).toEqual({ v: 1 });
    expect(() => got.set('x', 1)).toThrow(ContextMutationError);
    expect(() => got.delete('k')).toThrow(ContextMutationError);
    expect(() => got.clear()).toThrow(ContextMutationError);
    expect(ctx.get<Map<string, unknown>>('m')!.size).toBe(1);
  });

  it('copies a Set on the way in and refuses mutation of the one returned', () => {
    const source = new Set([1, 2]);
    const ctx = new FrozenContext();
    ctx.add('s', source);
    source.add(3);
    const got = ctx.get<Set<number>>('s')!;
    expect([...got]).toEqual([1, 2]);
    expect(() => got.add(4)).toThrow(ContextMutationError);
    expect(() => got.delete(1)).toThrow(ContextMutationError);
    expect(() => got.clear()).toThrow(ContextMutationError);
    expect([...ctx.get<Set<number>>('s')!]).toEqual([1, 2]);
  });

  it('keeps a Map that contains itself', () => {
    const m = new Map<string, unknown>();
    m.set('self', m);
    const got = new FrozenContext({ m }).get<Map<string, unknown>>('m')!;
    expect(got.get('self')).toBe(got);
  });

  it('keeps a Date intact whether the caller mutates the original or the one read', () => {
    const date = new Date('2024-01-01T00:00:00Z');
    const ctx = new FrozenContext({ d: date });
    date.setUTCFullYear(1999);
    ctx.get<Date>('d')!.setUTCFullYear(2000);
    expect(ctx.get<Date>('d')!.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it.each([
    ['Float64Array', () => new Float64Array([1.5, 2.5])],
    ['Int32Array', () => new Int32Array([1, 2])],
    ['Uint8Array', () => new Uint8Array([1, 2])],
    ['Buffer', () => Buffer.from([1, 2])],
  ])('keeps a %s intact whether the caller mutates the original or the one read', (_n, make) => {
    const original = make();
    const ctx = new FrozenContext({ t: original });
    original[0] = 99;
    const got = ctx.get<typeof original>('t')!;
    expect(got).toBeInstanceOf(original.constructor);
    got[1] = 77;
    expect([...ctx.get<typeof original>('t')!]).toEqual([...make()]);
  });

  it('keeps a DataView intact', () => {
    const view = new DataView(new ArrayBuffer(2));
    const ctx = new FrozenContext({ v: view });
    view.setInt8(0, 5);
    ctx.get<DataView>('v')!.setInt8(1, 6);
    const got = ctx.get<DataView>('v')!;
    expect([got.getInt8(0), got.getInt8(1)]).toEqual([0, 0]);
  });

  it('keeps Dates and typed arrays nested in objects, arrays and Maps intact', () => {
    const ctx = new FrozenContext({
      run: { started: new Date(0), weights: new Float32Array([1, 2]) },
      list: [new Date(0)],
      byName: new Map([['w', new Int8Array([1])]]),
    });
    const run = ctx.get<{ started: Date; weights: Float32Array }>('run')!;
    run.started.setTime(123);
    run.weights[0] = 42;
    ctx.get<Date[]>('list')![0]!.setTime(123);
    ctx.get<Map<string, Int8Array>>('byName')!.get('w')![0] = 9;
    expect(ctx.get<{ started: Date }>('run')!.started.getTime()).toBe(0);
    expect([...ctx.get<{ weights: Float32Array }>('run')!.weights]).toEqual([1, 2]);
    expect(ctx.get<Date[]>('list')![0]!.getTime()).toBe(0);
    expect([...ctx.get<Map<string, Int8Array>>('byName')!.get('w')!]).toEqual([1]);
  });

  it('keeps class instances and functions by reference (resources are not copied)', () => {
    class Client {
      calls = 0;
    }
    const client = new Client();
    const factory = () => client;
    const ctx = new FrozenContext({ client, factory });
    expect(ctx.get('client')).toBe(client);
    expect(ctx.get('factory')).toBe(factory);
  });

  it('hands out snapshots from toObject that cannot change the context', () => {
    const ctx = new FrozenContext({ list: [1], when: new Date(0) });
    const snap = ctx.toObject() as { list: number[]; when: Date };
    expect(() => snap.list.push(2)).toThrow(TypeError);
    snap.when.setTime(5);
    expect(ctx.get<Date>('when')!.getTime()).toBe(0);
  });
});

describe('ContextMutationError names its key', () => {
  it('carries the key it refused, for an existing key and for a reserved one', () => {
    const ctx = new FrozenContext({ a: 1 });
    const existing = (() => {
      try {
        ctx.add('a', 2);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(existing).toBeInstanceOf(ContextMutationError);
    expect((existing as ContextMutationError).key).toBe('a');
    const reserved = (() => {
      try {
        new FrozenContext().add('seed_used', 2);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect((reserved as ContextMutationError).key).toBe('seed_used');
  });
});
