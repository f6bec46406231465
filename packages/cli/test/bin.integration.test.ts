/*
 * `pnpm exec crystallize` at the repository root: the root package.json depends on
 * @crystallize/cli, so pnpm links its bin into node_modules/.bin at install time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkspace } from './cli.js';
import { repo } from '../../config/test/helpers/temp-project.js';

beforeAll(buildWorkspace, 180_000);

describe('the crystallize bin', () => {
  it('runs as pnpm exec crystallize at the repo root (the bin pnpm linked into node_modules/.bin)', () => {
    const shim = join(repo, 'node_modules', '.bin', 'crystallize');
    expect(existsSync(shim)).toBe(true);
    const run = spawnSync(shim, ['list', '--root', 'apps/examples'], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('yaml-demo');
  }, 60_000);

  it('has its bin file outside dist/, so pnpm install links it before the first build', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'packages', 'cli', 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      files: string[];
      publishConfig: { bin: Record<string, string> };
    };
    const bin = pkg.bin['crystallize'] as string;
    expect(bin).not.toMatch(/dist/);
    expect(existsSync(join(repo, 'packages', 'cli', bin))).toBe(true);
    // Packed (pnpm pack applies publishConfig), the command is dist/bin.js itself, which the
    // tarball ships (files: dist); the consumer tier runs it from an npm install.
    const packedBin = pkg.publishConfig.bin['crystallize'] as string;
    expect(packedBin).toBe('./dist/bin.js');
    expect(pkg.files).toContain(packedBin.replace(/^\.\//, '').split('/')[0]);
    expect(readFileSync(join(repo, 'packages', 'cli', packedBin), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
    const run = spawnSync(process.execPath, [join(repo, 'packages', 'cli', bin), '--help'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('report [options] <target>');
  }, 60_000);
});
