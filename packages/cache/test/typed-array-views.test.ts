/*
 * A cache hit on a big typed-array output hands the array back without copying it: the writer
 * ends the payload with the elements and notes their alignment in the header, the reader places
 * the file's bytes so that they are aligned and returns a view into them. What a user relies on:
 * the values are exactly what was stored, the array is theirs to change, and entries written
 * before this (or with a damaged hint) read back exactly, by copy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { Packr } from 'msgpackr';
import { CacheStore } from '@crystallize/cache';
import { HEADER_SIZE } from '@crystallize/cache/internal';
import { tempCacheDir } from './fixtures/temp-cache-dir.js';

const tmp = tempCacheDir();

const N = 100_000; // 800 KB as float64: well past the size where views start (64 KB)

function filled<T extends { length: number; [i: number]: number | bigint }>(
  make: (n: number) => T,
  value: (i: number) => number | bigint,
): T {
  const a = make(N);
  for (let i = 0; i < N; i++) a[i] = value(i);
  return a;
}

/** Whether `a` shares a larger buffer (a view into the bytes read) rather than owning a copy. */
const isView = (a: ArrayBufferView): boolean => a.buffer.byteLength > a.byteLength;

async function storeAndRead<T>(output: T, dir: string): Promise<T> {
  await new CacheStore({ dir }).set('step', 'input', { output, metrics: [], artifacts: [] });
  const got = await new CacheStore({ dir }).get<T>('step', 'input');
  if (!got) throw new Error('expected a hit');
  return got.output;
}

describe('big typed-array outputs come back without a copy', () => {
  it.each([
    [
      'Float64Array',
      () =>
        filled(
          (n) => new Float64Array(n),
          (i) => Math.sin(i) * 1e6,
        ),
    ],
    [
      'Float32Array',
      () =>
        filled(
          (n) => new Float32Array(n),
          (i) => i / 3,
        ),
    ],
    [
      'Int16Array',
      () =>
        filled(
          (n) => new Int16Array(n),
          (i) => (i % 65536) - 32768,
        ),
    ],
    [
      'BigInt64Array',
      () =>
        filled(
          (n) => new BigInt64Array(n),
          (i) => BigInt(i) * -(2n ** 40n),
        ),
    ],
    [
      'Uint8Array',
      () =>
        filled(
          (n) => new Uint8Array(n * 8),
          (i) => i % 256,
        ),
    ],
  ])('%s: a view into the bytes read, equal to what was stored', async (name, make) => {
    const stored = make();
    const got = await storeAndRead(stored, tmp.dir());
    expect(got.constructor.name).toBe(name);
    expect(got).toStrictEqual(stored);
    expect(isView(got)).toBe(true);
    // Aligned for its element type (a typed array constructor would have thrown otherwise).
    expect(got.byteOffset % got.BYTES_PER_ELEMENT).toBe(0);
  });

  it('gives the caller an array of their own: changing it changes neither the entry nor the next hit', async () => {
    const stored = filled(
      (n) => new Float64Array(n),
      (i) => i + 0.5,
    );
    const first = await storeAndRead(stored, tmp.dir());
    first.fill(-1);
    const again = await new CacheStore({ dir: tmp.dir() }).get<Float64Array>('step', 'input');
    expect(again?.output).toStrictEqual(stored);
    expect(again?.output).not.toBe(first);
  });

  it('copies small typed arrays (they do not keep a file-sized buffer alive)', async () => {
    const stored = new Float64Array([1.5, -0, NaN, Infinity]);
    const got = await storeAndRead(stored, tmp.dir());
    expect(got).toStrictEqual(stored);
    expect(isView(got)).toBe(false);
  });

  it('keeps a number[] output a number[], exactly (-0 included)', async () => {
    const stored = Array.from({ length: N }, (_, i) => (i === 7 ? -0 : i / 7));
    const got = await storeAndRead(stored, tmp.dir());
    expect(Array.isArray(got)).toBe(true);
    expect(got).toStrictEqual(stored);
    expect(Object.is(got[7], -0)).toBe(true);
  });

  it.each([0, 1, 4, 8, 200])(
    'reads an entry whose alignment hint is %i (none, wrong or out of range) exactly',
    async (hint) => {
      const dir = tmp.dir();
      const stored = filled(
        (n) => new Float64Array(n),
        (i) => i * 1.25,
      );
      const store = new CacheStore({ dir });
      await store.set('step', 'input', { output: stored, metrics: [], artifacts: [] });
      const file = store.pathOf('step', 'input');
      const bytes = readFileSync(file);
      bytes[7] = hint; // outside the checksum: a damaged hint is not a damaged entry
      writeFileSync(file, bytes);
      const got = await new CacheStore({ dir }).get<Float64Array>('step', 'input');
      expect(got?.output).toStrictEqual(stored);
    },
  );

  it('reads an entry written before the output went last (older builds: output first, no hint)', async () => {
    const dir = tmp.dir();
    const stored = filled(
      (n) => new Float64Array(n),
      (i) => 1 / (i + 1),
    );
    const store = new CacheStore({ dir });
    await store.set('step', 'input', { output: 0, metrics: [], artifacts: [] });
    const file = store.pathOf('step', 'input');
    // The older layout: the same codec options, the output first, header byte 7 zero.
    const packr = new Packr({ moreTypes: true, useBigIntExtension: true });
    const payload = packr.pack({
      output: stored,
      metrics: [{ name: 'm', value: 1 }],
      artifacts: [],
    });
    const header = Buffer.from(readFileSync(file).subarray(0, HEADER_SIZE));
    header[7] = 0;
    header.writeBigUInt64LE(BigInt(payload.byteLength), 8);
    header.fill(0, 16, 48);
    header.writeUInt32LE(zlib.crc32(payload) >>> 0, 16);
    writeFileSync(file, Buffer.concat([header, payload]));
    const got = await new CacheStore({ dir }).get<Float64Array>('step', 'input');
    expect(got?.output).toStrictEqual(stored);
    expect(got?.metrics).toEqual([{ name: 'm', value: 1 }]);
  });
});
