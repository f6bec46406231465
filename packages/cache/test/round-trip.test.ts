import { statSync } from 'node:fs';
import { CacheStore, hashValue, type CacheEntry, type CachedMetric } from '@crystallize/cache';
import { HEADER_SIZE } from '@crystallize/cache/internal';
import { tempCacheDir } from './fixtures/temp-cache-dir.js';

const tmp = tempCacheDir();

async function roundTrip<T>(output: T, entry: Partial<CacheEntry<T>> = {}): Promise<CacheEntry<T>> {
  const store = new CacheStore({ dir: tmp.dir() });
  await store.set('step', 'input', { output, metrics: [], artifacts: [], ...entry });
  // A fresh store (as in another process) must read what the first one wrote.
  const got = await new CacheStore({ dir: tmp.dir() }).get<T>('step', 'input');
  if (!got) throw new Error('expected a hit');
  return got;
}

describe('CacheStore round trips', () => {
  it('restores every typed array with its own class and bytes', async () => {
    const arrays = [
      new Float64Array([1.5, -0, NaN, Infinity]),
      new Float32Array([0.25, -3]),
      new Int8Array([-1, 2]),
      new Uint8Array([0, 255]),
      new Uint8ClampedArray([7]),
      new Int16Array([-300]),
      new Uint16Array([65535]),
      new Int32Array([-1 << 30]),
      new Uint32Array([2 ** 32 - 1]),
      new BigInt64Array([-(2n ** 63n)]),
      new BigUint64Array([2n ** 64n - 1n]),
      Buffer.from('bytes'),
      new DataView(new Uint8Array([1, 2, 3]).buffer),
      new Uint8Array([4, 5]).buffer,
    ];
    const got = await roundTrip(arrays);
    expect(got.output.map((a) => a.constructor)).toEqual(arrays.map((a) => a.constructor));
    expect(got.output).toStrictEqual(arrays);
    expect(hashValue(got.output)).toBe(hashValue(arrays));
  });

  it('restores a view into a larger buffer as just its own elements', async () => {
    const view = new Float64Array([9, 1, 2, 9]).subarray(1, 3);
    const got = await roundTrip(view);
    expect(got.output).toStrictEqual(new Float64Array([1, 2]));
  });

  it('restores Map, Set, Date, BigInt and nested objects exactly', async () => {
    const value = {
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, { x: [1, 2] }],
        [{ k: 1 }, 'object key'],
      ]),
      set: new Set<unknown>([1, 'a', 3n, new Date(0)]),
      date: new Date('2026-11-05T10:20:30.456Z'),
      bigs: [5n, -5n, 2n ** 64n + 1n, -(2n ** 100n)],
      nested: { a: { b: [{ c: null, d: undefined, e: true }] } },
      numbers: [0.1, 2 ** 60, -Infinity, NaN, 42],
      text: 'héllo 😀',
      regexp: /x+y/gi,
      empty: { obj: {}, arr: [], map: new Map(), set: new Set() },
    };
    const got = await roundTrip(value);
    expect(got.output).toStrictEqual(value);
    expect(got.output.map).toBeInstanceOf(Map);
    expect(got.output.set).toBeInstanceOf(Set);
    expect(got.output.empty.map).toBeInstanceOf(Map);
    expect('d' in got.output.nested.a.b[0]!).toBe(true);
    expect(hashValue(got.output)).toBe(hashValue(value));
  });

  it('keeps -0 distinct from 0 in objects, arrays, Map values and Set members', async () => {
    const value = {
      z: -0,
      list: [1, -0, 0],
      deep: [{ m: new Map([['v', -0]]) }],
      inSet: new Set([{ y: -0 }]),
      typed: new Float64Array([-0]),
    };
    const got = await roundTrip(value);
    expect(Object.is(got.output.z, -0)).toBe(true);
    expect(Object.is(got.output.list[1], -0)).toBe(true);
    expect(Object.is(got.output.list[2], 0)).toBe(true);
    expect(Object.is(got.output.deep[0]!.m.get('v'), -0)).toBe(true);
    expect(Object.is([...got.output.inSet][0]!.y, -0)).toBe(true);
    expect(hashValue(got.output)).toBe(hashValue(value));
  });

  it('round-trips a bare -0 and other primitive outputs', async () => {
    for (const output of [-0, 0, 'text', null, undefined, true, 7n, 3.25]) {
      const got = await roundTrip<unknown>(output);
      expect(Object.is(got.output, output)).toBe(true);
    }
  });

  it('stores the metrics and artifacts a step recorded, in order, with their tags', async () => {
    const metrics: CachedMetric[] = [
      { name: 'loss', value: 0.5, tags: { split: 'train' } },
      { name: 'sum', value: 9 },
      { name: 'loss', value: 0.25, tags: { split: 'test', epoch: 2 } },
      { name: 'curve', value: [1, 2, 3] },
    ];
    const artifacts = [
      { name: 'weights.bin', data: new Float32Array([1, 2]), step: 'Train' },
      { name: 'report.json', data: { ok: true } },
    ];
    const got = await roundTrip(new Float64Array([1]), { metrics, artifacts });
    expect(got.metrics).toStrictEqual(metrics);
    expect(got.artifacts).toStrictEqual(artifacts);
    expect(got.artifacts[0]!.data).toBeInstanceOf(Float32Array);
  });

  it('round-trips 1M floats as Float64Array and as number[]', async () => {
    const typed = new Float64Array(1_000_000).map((_, i) => i * 1.5 + 1);
    const got = await roundTrip(typed);
    expect(got.output).toBeInstanceOf(Float64Array);
    expect(hashValue(got.output)).toBe(hashValue(typed));
    const plain = Array.from(typed);
    const gotPlain = await roundTrip(plain);
    expect(Array.isArray(gotPlain.output)).toBe(true);
    expect(hashValue(gotPlain.output)).toBe(hashValue(plain));
  });
});

describe('number[] outputs', () => {
  it('a dense number[] output is stored as float64 bytes (8 per element) and comes back an equal number[]', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    const n = 10_000;
    const output = Array.from({ length: n }, (_, i) => i / 3 + 0.1);
    output[1] = -0;
    output[2] = NaN;
    output[3] = Infinity;
    output[4] = 2 ** 60 + 0.5;
    output[5] = 7; // integers stay numbers
    await store.set('step', 'numbers', { output, metrics: [], artifacts: [] });
    const size = statSync(store.pathOf('step', 'numbers')).size;
    // msgpack spends 9 bytes on each non-integer float; the float64 form spends 8.
    expect(size).toBeLessThan(n * 8 + HEADER_SIZE + 1024);
    const hit = await store.get<number[]>('step', 'numbers');
    expect(Array.isArray(hit?.output)).toBe(true);
    expect(hit?.output).toHaveLength(n);
    expect(Object.is(hit?.output[1], -0)).toBe(true);
    expect(hit?.output[2]).toBeNaN();
    expect(hit?.output).toEqual(output);
  });

  it('arrays that are not dense numbers keep the msgpack path (holes, mixed values, short arrays)', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    const holey: unknown[] = Array.from({ length: 100 }, (_, i) => i + 0.5);
    delete holey[7];
    const mixed: unknown[] = Array.from({ length: 100 }, (_, i) => (i === 50 ? '50' : i));
    const short = [1.5, -0, 3];
    for (const [name, output] of Object.entries({ holey, mixed, short })) {
      await store.set('step', name, { output, metrics: [], artifacts: [] });
      const hit = await store.get<unknown[]>('step', name);
      expect(hit?.output).toEqual(output);
      if (name === 'holey') expect(6 in (hit?.output ?? [])).toBe(true);
    }
    const short2 = (await store.get<number[]>('step', 'short'))?.output;
    expect(Object.is(short2?.[1], -0)).toBe(true);
  });
});
