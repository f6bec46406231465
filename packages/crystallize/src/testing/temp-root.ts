import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary project root for a test: stored runs under `dataDir`, step cache under `cacheDir`. */
export interface TempRoot {
  /** The root folder (a fresh folder in the OS temp dir). */
  readonly dir: string;
  /** Where runs are stored (`<dir>/data`, the ArtifactPlugin's `rootDir`). */
  readonly dataDir: string;
  /** Where cacheable steps are memoised (`<dir>/.cache`). */
  readonly cacheDir: string;
  /** Removes the folder and everything in it (safe to call twice). */
  cleanup(): void;
}

/**
 * A fresh temporary root. The caller removes it with `cleanup()`; in a jest file,
 * {@link useTempRoot} does that after the file's tests.
 */
export function createTempRoot(prefix = 'crystallize-test-'): TempRoot {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    dataDir: join(dir, 'data'),
    cacheDir: join(dir, '.cache'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

type HookRegistrar = (fn: () => void) => void;

/**
 * A temporary root removed by jest's `afterAll` once the enclosing `describe` (or file) is done.
 * Call it at the top of a test file or `describe` block, not inside a test.
 *
 * @example
 * const root = useTempRoot();
 * it('stores the run', async () => {
 *   const result = await runExperiment(exp, { root });
 *   expect(result.dir?.startsWith(root.dir)).toBe(true);
 * });
 */
export function useTempRoot(prefix?: string): TempRoot {
  const afterAll = (globalThis as { afterAll?: HookRegistrar }).afterAll;
  if (typeof afterAll !== 'function') {
    throw new TypeError(
      'useTempRoot() needs a global afterAll (jest, vitest with globals, mocha): call it at the top of a test file or describe block, or use createTempRoot() and call cleanup() yourself.',
    );
  }
  const root = createTempRoot(prefix);
  afterAll(() => root.cleanup());
  return root;
}
