/*
 * A cache folder that cannot be written, with real files. chmod does not stop root: as root the
 * folder is made immutable (chattr +i) where the file system allows it, else a file is put
 * where the folder must be — either way the file system refuses the write and the test asserts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CacheError } from '@crystallize/core';
import { CacheStore, CacheWriteError } from '@crystallize/cache';
import { tempCacheDir } from './fixtures/temp-cache-dir.js';

const asRoot = process.getuid?.() === 0;
const undo: (() => void)[] = [];

// Declared before the temp folder's own afterEach, so the folder is writable again when it goes.
afterEach(() => {
  for (const f of undo.splice(0).reverse()) f();
});
const cache = tempCacheDir();

/** Makes `folders` refuse new files; false when this machine cannot (root without chattr). */
function makeReadOnly(folders: readonly string[]): boolean {
  for (const folder of folders) {
    if (!asRoot) {
      chmodSync(folder, 0o555);
      undo.push(() => chmodSync(folder, 0o755));
      continue;
    }
    try {
      execFileSync('chattr', ['+i', folder], { stdio: 'ignore' });
    } catch {
      return false;
    }
    undo.push(() => execFileSync('chattr', ['-i', folder], { stdio: 'ignore' }));
  }
  return true;
}

const entry = (output: unknown): { output: unknown; metrics: []; artifacts: [] } => ({
  output,
  metrics: [],
  artifacts: [],
});

const temps = (folder: string): string[] => readdirSync(folder).filter((n) => n.endsWith('.tmp'));

describe('an unwritable cache folder', () => {
  it('fails a write with a CacheWriteError naming the cache folder, the file, the OS code and the fix', async () => {
    let dir = cache.dir();
    if (!makeReadOnly([dir])) {
      // A file where the cache folder must be.
      dir = join(cache.dir(), 'cache');
      writeFileSync(dir, 'in the way');
    }
    const store = new CacheStore({ dir });
    const write = store.set('step', 'k', entry([1, 2, 3]));
    await expect(write).rejects.toBeInstanceOf(CacheWriteError);
    const error = (await write.catch((e: unknown) => e)) as CacheWriteError;
    expect(error).toBeInstanceOf(CacheError);
    expect(error.dir).toBe(dir);
    expect(error.file).toBe(store.pathOf('step', 'k'));
    expect(['EACCES', 'EPERM', 'ENOTDIR', 'EEXIST']).toContain(error.code);
    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/CRYSTALLIZE_CACHE_DIR/);
    expect(store.onWriteError).toBe('warn');
  });

  it('removes its temp file when a write fails after the temp file was made', async () => {
    const dir = cache.dir();
    const store = new CacheStore({ dir });
    // A folder where the entry file must be: the temp file is written, the rename fails.
    mkdirSync(join(store.pathOf('step', 'k'), 'blocker'), { recursive: true });
    await expect(store.set('step', 'k', entry(new Float64Array(1000)))).rejects.toBeInstanceOf(
      CacheWriteError,
    );
    expect(temps(join(dir, 'step'))).toEqual([]);
  });

  it('serves hits from a read-only cache folder that already holds entries', async () => {
    const dir = cache.dir();
    await new CacheStore({ dir }).set('step', 'k', entry({ sum: 6 }));
    const readOnly = makeReadOnly([dir, join(dir, 'step')]);
    const store = new CacheStore({ dir });
    expect((await store.get('step', 'k'))?.output).toEqual({ sum: 6 });
    expect(await store.has('step', 'k')).toBe(true);
    if (readOnly) {
      await expect(store.set('step', 'other', entry(1))).rejects.toBeInstanceOf(CacheWriteError);
    }
  });

  it("accepts onWriteError 'warn' or 'fail' and refuses anything else", () => {
    expect(new CacheStore({ dir: cache.dir(), onWriteError: 'fail' }).onWriteError).toBe('fail');
    expect(() => new CacheStore({ dir: cache.dir(), onWriteError: 'ignore' as 'warn' })).toThrow(
      /onWriteError must be 'warn' or 'fail'/,
    );
  });
});
