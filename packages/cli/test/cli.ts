import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { repo } from '../../config/test/helpers/temp-project.js';

export { buildWorkspace, tempProject } from '../../config/test/helpers/temp-project.js';

/** The built command, as `pnpm exec crystallize` runs it. */
export const bin = join(repo, 'packages', 'cli', 'dist', 'bin.js');
export const cliFixtures = join(import.meta.dirname, 'fixtures', 'project');

/** Env of a user's shell: no log level forced, the cache under the project. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e['CRYSTALLIZE_LOG_LEVEL'];
  delete e['CRYSTALLIZE_CACHE_DIR'];
  delete e['FORCE_COLOR'];
  return { ...e, ...extra };
}

/** `crystallize --root <root> ...args`, run to completion with stdout and stderr piped. */
export function crystallize(
  root: string,
  args: readonly string[],
  extra: Record<string, string> = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, '--root', root, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: env(extra),
    timeout: 120_000,
  });
}

/** The same, started in the background (for Ctrl-C and --watch). */
export function startCrystallize(
  root: string,
  args: readonly string[],
  extra: Record<string, string> = {},
): ChildProcess & { output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [bin, '--root', root, ...args], {
    cwd: root,
    env: env(extra),
  }) as ChildProcess & {
    output: { stdout: string; stderr: string };
  };
  child.output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (child.output.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (child.output.stderr += d.toString()));
  return child;
}

/** Polls until `check()` is true (or fails after `ms`). */
export async function until(check: () => boolean, ms = 60_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}
