import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CacheError } from '@crystallize/core';
import { CacheStore, type CacheEntry } from '@crystallize/cache';
import { tempCacheDir } from './fixtures/temp-cache-dir.js';

const tmp = tempCacheDir();
const entry = <T>(output: T): CacheEntry<T> => ({ output, metrics: [], artifacts: [] });

describe('CacheStore', () => {
  it('lays entries out as <dir>/<stepKey>/<inputKey>.msgpack', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    await store.set('step-a1', 'in-1', entry([1, 2]));
    expect(existsSync(join(tmp.dir(), 'step-a1', 'in-1.msgpack'))).toBe(true);
    expect(store.pathOf('step-a1', 'in-1')).toBe(join(tmp.dir(), 'step-a1', 'in-1.msgpack'));
    expect(readdirSync(join(tmp.dir(), 'step-a1'))).toEqual(['in-1.msgpack']); // no temp left
  });

  it('defaults its folder to CRYSTALLIZE_CACHE_DIR, else .cache in the working directory', () => {
    const saved = process.env['CRYSTALLIZE_CACHE_DIR'];
    try {
      process.env['CRYSTALLIZE_CACHE_DIR'] = tmp.dir();
      expect(new CacheStore().dir).toBe(tmp.dir());
      delete process.env['CRYSTALLIZE_CACHE_DIR'];
      expect(new CacheStore().dir).toBe(resolve('.cache'));
    } finally {
      if (saved === undefined) delete process.env['CRYSTALLIZE_CACHE_DIR'];
      else process.env['CRYSTALLIZE_CACHE_DIR'] = saved;
    }
  });

  it('misses on a key it never stored, and hits once it has', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    expect(await store.get('s', 'i')).toBeUndefined();
    expect(await store.has('s', 'i')).toBe(false);
    await store.set('s', 'i', entry('out'));
    expect(await store.has('s', 'i')).toBe(true);
    expect((await store.get('s', 'i'))?.output).toBe('out');
  });

  it('tells an entry whose output is undefined from a miss', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    await store.set('s', 'i', entry(undefined));
    const got = await store.get('s', 'i');
    expect(got).toBeDefined();
    expect(got!.output).toBeUndefined();
  });

  it('replaces an entry written again under the same key', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    await store.set('s', 'i', entry({ v: 1 }));
    await store.set('s', 'i', entry({ v: 2 }));
    expect((await store.get('s', 'i'))?.output).toEqual({ v: 2 });
  });

  it('deletes one entry and says whether there was one', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    await store.set('s', 'a', entry(1));
    await store.set('s', 'b', entry(2));
    expect(await store.delete('s', 'a')).toBe(true);
    expect(await store.delete('s', 'a')).toBe(false);
    expect(await store.get('s', 'a')).toBeUndefined();
    expect((await store.get('s', 'b'))?.output).toBe(2);
  });

  it('clears one step or everything, leaving files it did not write alone', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    await store.set('s1', 'a', entry(1));
    await store.set('s1', 'b', entry(2));
    await store.set('s2', 'a', entry(3));
    writeFileSync(join(tmp.dir(), 'notes.txt'), 'mine');
    expect(await store.clear('s1')).toBe(2);
    expect(existsSync(join(tmp.dir(), 's1'))).toBe(false);
    expect((await store.get('s2', 'a'))?.output).toBe(3);
    expect(await store.clear()).toBe(1);
    expect(readdirSync(tmp.dir())).toEqual(['notes.txt']);
  });

  it('writes again after the folder was cleared under it', async () => {
    const store = new CacheStore({ dir: join(tmp.dir(), 'not', 'yet', 'there') });
    await store.set('s', 'i', entry(1));
    await store.clear();
    await store.set('s', 'i', entry(2));
    expect((await store.get('s', 'i'))?.output).toBe(2);
  });

  it('reports entries and bytes on disk, and its own hits, misses and writes', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    expect(await store.stats()).toMatchObject({ steps: 0, entries: 0, bytes: 0 });
    await store.set('s1', 'a', entry(new Float64Array(1000)));
    await store.set('s1', 'b', entry(1));
    await store.set('s2', 'a', entry(2));
    await store.get('s1', 'a');
    await store.get('s1', 'missing');
    const stats = await store.stats();
    expect(stats).toMatchObject({
      dir: tmp.dir(),
      steps: 2,
      entries: 3,
      hits: 1,
      misses: 1,
      writes: 3,
      skipped: 0,
      corrupt: 0,
    });
    expect(stats.bytes).toBeGreaterThan(8000);
  });

  it('rejects keys that are not safe file names, with a CacheError naming the key', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    for (const bad of ['../escape', 'a/b', '', '.hidden', 'x'.repeat(201), 'sp ace']) {
      await expect(store.get(bad, 'i')).rejects.toThrow(CacheError);
      await expect(store.set('s', bad, entry(1))).rejects.toThrow(/inputKey/);
    }
  });

  describe('set refuses a value that is not a CacheEntry', () => {
    // Each of these used to be written, then read back as a miss (or lose a field) with no word.
    const notEntries: [string, unknown, RegExp][] = [
      ['a bare output value', [1, 2, 3], /the entry is an array, not an object/],
      ['a number', 42, /the entry is the number 42, not an object/],
      ['null', null, /the entry is null, not an object/],
      ['an entry without output', { metrics: [], artifacts: [] }, /no 'output' field/],
      [
        'an entry without metrics',
        { output: 1, artifacts: [] },
        /'metrics' is undefined, not an array/,
      ],
      [
        'an entry without artifacts',
        { output: 1, metrics: [] },
        /'artifacts' is undefined, not an array/,
      ],
      [
        'metrics given as an object',
        { output: 1, metrics: { sum: 3 }, artifacts: [] },
        /'metrics' is an object, not an array/,
      ],
      [
        'a metric without a name',
        { output: 1, metrics: [{ value: 3 }], artifacts: [] },
        /metrics\[0\] has no string 'name'/,
      ],
      [
        'a metric without a value',
        { output: 1, metrics: [{ name: 'sum' }], artifacts: [] },
        /metrics\[0\] \('sum'\) has no 'value'/,
      ],
      [
        'an artifact without data',
        { output: 1, metrics: [], artifacts: [{ name: 'a.txt' }] },
        /artifacts\[0\] \('a.txt'\) has no 'data'/,
      ],
      [
        'a metric that is a number',
        { output: 1, metrics: [3], artifacts: [] },
        /metrics\[0\] is the number 3, not an object/,
      ],
      [
        'a Map as the entry',
        new Map([['output', 1]]),
        /the entry is a Map instance, not an object/,
      ],
      [
        'a misspelt field',
        { output: 1, metrics: [], artifacts: [], outputHsh: 'x' },
        /unknown field 'outputHsh'/,
      ],
      [
        'a non-string outputHash',
        { output: 1, metrics: [], artifacts: [], outputHash: 7 },
        /'outputHash' is the number 7, not a string/,
      ],
      [
        'a context that is not an object',
        { output: 1, metrics: [], artifacts: [], context: 'k' },
        /'context' is the string "k", not an object/,
      ],
    ];

    it.each(notEntries)(
      'with a CacheError naming the problem and writing nothing: %s',
      async (_label, value, problem) => {
        const store = new CacheStore({ dir: tmp.dir(), onUnencodable: 'skip' });
        const set = store.set('s', 'i', value as CacheEntry);
        await expect(set).rejects.toThrow(CacheError);
        await expect(store.set('s', 'i', value as CacheEntry)).rejects.toThrow(problem);
        await expect(store.set('s', 'i', value as CacheEntry)).rejects.toThrow(
          /Cannot cache entry s\/i: .*CacheStore\.set takes a CacheEntry/,
        );
        expect(existsSync(join(tmp.dir(), 's'))).toBe(false);
        expect(await store.get('s', 'i')).toBeUndefined();
        expect(await store.stats()).toMatchObject({ writes: 0, skipped: 0, corrupt: 0 });
      },
    );

    it('still takes every field a CacheEntry may have, and reads it back', async () => {
      const store = new CacheStore({ dir: tmp.dir() });
      const full: CacheEntry<number> = {
        output: 1,
        metrics: [{ name: 'sum', value: 3, tags: { phase: 'fit' } }],
        artifacts: [{ name: 'a.txt', data: 'hi', step: 'S' }],
        context: { k: 1 },
        outputHash: 'h',
      };
      await store.set('s', 'i', full);
      expect(await store.get('s', 'i')).toEqual(full);
    });
  });
});
