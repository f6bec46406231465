import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root: jest runs from it. */
export const repo = resolve(process.cwd());

/**
 * Builds the workspace the way a user does (`pnpm run build`: tsc, then the package bundles), so a test can
 * start the compiled examples with node. Throws with tsc's output when the build fails.
 *
 * @example
 * beforeAll(buildWorkspace, 120_000);
 */
export function buildWorkspace(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}
