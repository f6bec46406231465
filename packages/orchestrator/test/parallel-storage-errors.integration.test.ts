import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'storage-run.mjs');

describe('storage errors under ParallelExecution', () => {
  it('brings artifact write failures in worker threads back as StorageErrors on the Result, not step failures', () => {
    const root = tempDir();
    const child = spawnSync(process.execPath, [fixture], {
      env: { ...process.env, CZ_ROOT: root },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const last = child.stdout.trim().split('\n').pop() ?? '';
    expect(last.startsWith('{')).toBe(true);
    const out = JSON.parse(last) as {
      ok: boolean;
      errors: string[];
      value: number[];
      storage: { isStorageError: boolean; path: string; operation: string; code: string }[];
    };
    expect(out.ok).toBe(false);
    expect(out.errors).toEqual([]);
    expect(out.value).toEqual([0, 1, 2, 3]);
    for (let r = 0; r < 4; r++) {
      expect(out.storage.some((e) => e.path.includes(`replicate_${r}`))).toBe(true);
    }
    for (const e of out.storage) {
      expect(e.isStorageError).toBe(true);
      // The run writes into its staging folder (swapped into v0 at the end): the error names it.
      expect(e.path.startsWith(join(root, 'stored-parallel', '.v0.next'))).toBe(true);
      expect(['EACCES', 'ENOTDIR', 'EEXIST', 'EPERM']).toContain(e.code);
    }
  }, 90_000);
});
