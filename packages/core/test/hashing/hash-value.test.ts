import { createHash } from 'node:crypto';
import { CacheError, HASH_IDENTITY, hashValue } from '@crystallize/core';

const differ = (a: unknown, b: unknown): void => expect(hashValue(a)).not.toBe(hashValue(b));
const same = (a: unknown, b: unknown): void => expect(hashValue(a)).toBe(hashValue(b));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

describe('hashValue', () => {
  it('returns a hex sha256 that is stable across calls', () => {
    const h = hashValue({ a: [1, 2, 3], b: 'x' });
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashValue({ a: [1, 2, 3], b: 'x' })).toBe(h);
  });

  it('hashes objects equal whatever their key order, at every depth', () => {
    same(
      { a: 1, b: { c: 2, d: [1, { e: 3, f: 4 }] } },
      { b: { d: [1, { f: 4, e: 3 }], c: 2 }, a: 1 },
    );
  });

  it('tells undefined from a missing key', () => {
    differ({ a: 1, b: undefined }, { a: 1 });
    differ(undefined, null);
  });

  it('tells an array hole from an undefined element', () => {
    // eslint-disable-next-line no-sparse-arrays
    differ([, 1], [undefined, 1]);
  });

  it('tells -0 from 0, and hashes every NaN alike', () => {
    differ(-0, 0);
    differ([-0], [0]);
    differ({ x: -0 }, { x: 0 });
    same(NaN, Number('not a number'));
    same([NaN], [0 / 0]);
    differ(NaN, null);
  });

  it('hashes a number to the sha256 of its tag and float64 bytes, the same from the number memo', () => {
    const expected = (x: number): string => {
      const bytes = Buffer.alloc(9);
      bytes[0] = 4; // Tag.Number
      bytes.writeDoubleLE(Number.isNaN(x) ? NaN : x, 1);
      return createHash('sha256').update(bytes).digest('hex');
    };
    // Well past the memo's size, twice: first computed, then (for recent values) remembered.
    const values = Array.from({ length: 10_000 }, (_, i) => i * 0.5 - 100);
    for (let round = 0; round < 2; round++)
      for (const x of values) expect(hashValue(x)).toBe(expected(x));
    // 0 and -0 are one Map key: neither may answer for the other, in either order.
    for (const [a, b] of [
      [0, -0],
      [-0, 0],
    ] as const) {
      expect(hashValue(a)).toBe(expected(a));
      expect(hashValue(b)).toBe(expected(b));
      expect(hashValue(a)).not.toBe(hashValue(b));
    }
    expect(hashValue(NaN)).toBe(expected(NaN));
  });

  it('tells a number from the same digits as a string, and a boolean from 1', () => {
    differ(1, '1');
    differ({ a: 1 }, { a: '1' });
    differ(true, 1);
    differ('', null);
  });

  it('tells a typed array from a plain array with the same numbers, and typed arrays apart', () => {
    differ(new Float64Array([1, 2, 3]), [1, 2, 3]);
    differ(new Float32Array([1, 2]), new Float64Array([1, 2]));
    differ(new Uint8Array([1, 2]), new Int8Array([1, 2]));
    differ(Buffer.from([1, 2]), new Uint8Array([1, 2]));
    same(new Float64Array([1, 2, 3]), new Float64Array([1, 2, 3]));
    differ(new Float64Array([1, 2, 3]), new Float64Array([1, 2, 4]));
  });

  it('hashes a typed array view by the bytes it spans, not the whole buffer', () => {
    const big = new Float64Array([9, 1, 2, 9]);
    same(big.subarray(1, 3), new Float64Array([1, 2]));
    same(Buffer.from('hello world').subarray(6), Buffer.from('world'));
  });

  it('tells a Map from an object with the same entries, and Map keys by type', () => {
    differ(new Map([['a', 1]]), { a: 1 });
    differ(new Map([[1, 'x']]), new Map([['1', 'x']]));
    differ(new Map([['a', 1]]), new Map([['a', 2]]));
  });

  it('hashes Maps and Sets alike whatever their insertion order', () => {
    same(
      new Map<unknown, unknown>([
        ['a', 1],
        [2, { b: [1] }],
      ]),
      new Map<unknown, unknown>([
        [2, { b: [1] }],
        ['a', 1],
      ]),
    );
    same(new Set([1, 'a', { x: 1 }]), new Set([{ x: 1 }, 'a', 1]));
    differ(new Set([1, 2]), new Set([1, 3]));
    differ(new Set([1, 2]), [1, 2]);
    differ(new Set(['a']), new Map([['a', undefined]]));
  });

  it('keeps Map key/value pairs together (a swap of values is a different map)', () => {
    differ(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
  });

  it('supports BigInt, Date, RegExp, ArrayBuffer and boxed primitives', () => {
    differ(1n, 1);
    differ(1n, '1');
    differ(-255n, 255n);
    same(2n ** 100n, 2n ** 100n);
    same(new Date(5), new Date(5));
    differ(new Date(5), new Date(6));
    differ(new Date(5), 5);
    same(/a+b/gi, /a+b/gi);
    differ(/a+b/g, /a+b/i);
    differ(/a/, 'a');
    same(new Uint8Array([1, 2]).buffer, new Uint8Array([1, 2]).buffer);
    differ(new Uint8Array([1, 2]).buffer, new Uint8Array([1, 2]));
    differ(Object(1), Object(2));
    differ(Object('a'), 'a');
  });

  it('tells strings with different lone surrogates apart', () => {
    differ('\uD800', '\uFFFD');
    differ('\uD800', '\uDC00');
    same('\uD83D\uDE00', '😀');
  });

  it('does not confuse values split differently across strings or keys', () => {
    differ(['ab', 'c'], ['a', 'bc']);
    differ({ ab: 'c' }, { a: 'bc' });
    differ([[1], [2, 3]], [[1, 2], [3]]);
  });

  it('tells class instances from plain objects and from other classes', () => {
    class A {
      x = 1;
    }
    class B {
      x = 1;
    }
    differ(new A(), { x: 1 });
    differ(new A(), new B());
    same(new A(), new A());
    same(Object.assign(Object.create(null) as object, { x: 1 }), { x: 1 });
  });

  it('hashes errors by class, name and message', () => {
    same(new TypeError('boom'), new TypeError('boom'));
    differ(new TypeError('boom'), new TypeError('bang'));
    differ(new TypeError('boom'), new RangeError('boom'));
  });

  it('uses toJSON for class instances that keep their state private (URL)', () => {
    same(new URL('https://a.example/x'), new URL('https://a.example/x'));
    differ(new URL('https://a.example/x'), new URL('https://a.example/y'));
  });

  it('hashes an object by its [HASH_IDENTITY]() when it has one', () => {
    class Handle {
      constructor(
        readonly path: string,
        readonly fd: number,
      ) {}
      [HASH_IDENTITY](): unknown {
        return this.path;
      }
    }
    same(new Handle('/data', 3), new Handle('/data', 7));
    differ(new Handle('/data', 3), new Handle('/other', 3));
    differ(new Handle('/data', 3), '/data');
  });

  it('accepts shared (non-cyclic) references', () => {
    const shared = { v: [1, 2] };
    same({ a: shared, b: shared }, { a: { v: [1, 2] }, b: { v: [1, 2] } });
    const m = new Map([['k', shared]]);
    expect(() => hashValue([m, m, new Set([shared]), shared])).not.toThrow();
  });

  it('throws a CacheError naming the path of a cycle', () => {
    const a: Record<string, unknown> = { list: [] };
    (a['list'] as unknown[]).push({ back: a });
    const error = thrown(() => hashValue({ root: a }));
    expect(error).toBeInstanceOf(CacheError);
    expect(error.message).toContain('cycle');
    expect(error.message).toContain('$.root.list[0].back');
  });

  it('throws a CacheError on a cycle that goes through a Map or a Set', () => {
    const m = new Map<string, unknown>();
    m.set('self', m);
    const error = thrown(() => hashValue({ m }));
    expect(error).toBeInstanceOf(CacheError);
    expect(error.message).toContain('$.m<map key "self">');
    const s = new Set<unknown>();
    s.add([s]);
    expect(() => hashValue(s)).toThrow(CacheError);
  });

  it('throws a CacheError naming the path of a function', () => {
    const error = thrown(() => hashValue({ model: { layers: [1, function relu() {}] } }));
    expect(error).toBeInstanceOf(CacheError);
    expect(error.message).toContain('function (relu)');
    expect(error.message).toContain('$.model.layers[1]');
  });

  it('throws a CacheError naming the path of a symbol, unique or registered', () => {
    const error = thrown(() => hashValue({ 'odd key': Symbol('tag') }));
    expect(error).toBeInstanceOf(CacheError);
    expect(error.message).toContain('symbol');
    expect(error.message).toContain('$["odd key"]');
    expect(() => hashValue([Symbol.for('x')])).toThrow(CacheError);
  });

  it('throws a CacheError for a promise instead of hashing it as an empty object', () => {
    expect(() => hashValue({ p: Promise.resolve(1) })).toThrow(/Promise at \$\.p/);
  });

  it('hashes a large typed array from its bytes: one flipped bit changes the hash', () => {
    const data = new Float64Array(1 << 20);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);
    const bytes = new Uint8Array(data.buffer);
    // The same bytes under the same type hash equal; one flipped bit does not.
    const h = hashValue(data);
    const copy = new Float64Array(data);
    expect(hashValue(copy)).toBe(h);
    const view = new Uint8Array(copy.buffer);
    view[12345] = view[12345]! ^ 1;
    expect(hashValue(copy)).not.toBe(h);
    // The type is part of the hash: the bare bytes hash differently.
    expect(createHash('sha256').update(bytes).digest('hex')).not.toBe(h);
  });

  it('hashes a long number[] as its doubles, so a later element still matters', () => {
    const a = Array.from({ length: 100_000 }, (_, i) => i / 3);
    const b = [...a];
    b[99_999] = -0;
    differ(a, b);
    same(a, [...a]);
    differ([1, 2, 'x'], [1, 2, 'y']);
  });
});
