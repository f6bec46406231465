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
});
