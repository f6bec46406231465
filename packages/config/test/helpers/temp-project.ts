import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root. */
export const repo = resolve(import.meta.dirname, '..', '..', '..', '..');
export const fixtures = resolve(import.meta.dirname, '..', 'fixtures');

/** Builds the workspace (the tests run the compiled packages in child processes, as users do). */
export function buildWorkspace(): void {
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: repo, stdio: 'pipe' });
}

const made: string[] = [];

// Imported by a test file, this registers in that file: its projects are removed after it.
afterAll(() => {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
});

/**
 * A fresh project folder in the temp dir: the fixtures' files (`experiments/`...) copied, a package.json
 * (an ES module project, as `crystallize init` makes), and `crystallize` installed (linked to
 * this workspace's package).
 */
export function tempProject(...fixtureDirs: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'crystallize-project-'));
  made.push(root);
  for (const fixture of fixtureDirs) {
    // A name is a folder of this package's fixtures; a path is taken as it is.
    cpSync(resolve(fixtures, fixture), root, {
      recursive: true,
      filter: (src) => !/[\\/](data|\.cache)$/.test(src),
    });
  }
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'project', private: true, type: 'module' }),
  );
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(
    join(repo, 'packages', 'crystallize'),
    join(root, 'node_modules', 'crystallize'),
    'dir',
  );
  return root;
}

/** Runs `node <script> ...args` in `cwd` with quiet logs. */
export function node(
  script: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [script, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent', CRYSTALLIZE_CACHE_DIR: '', ...env },
    timeout: 120_000,
  });
}
