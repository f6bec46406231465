/**
 * Packs every public package into a tarball, the way it would be published: `pnpm pack` of each
 * package under packages/ (`workspace:` versions replaced by the release version, `publishConfig`
 * applied, only `files` plus package.json, README and LICENSE shipped). Build first.
 *
 *   node scripts/pack.mjs [--out DIR]   # default DIR: .cache/pack (git-ignored)
 *
 * Prints the tarball paths, one a line. The consumer test tier (consumer/test) installs them with
 * npm into projects outside the workspace.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg >= 0 ? process.argv[outArg + 1] : join(root, '.cache', 'pack'));

if (!existsSync(join(root, 'packages', 'crystallize', 'dist', 'cjs', 'index.js'))) {
  process.stderr.write('pack: the packages are not built (no dist/cjs). Build first: pnpm build\n');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (f.endsWith('.tgz')) rmSync(join(out, f));
execFileSync(
  'sh',
  [
    join(root, 'scripts', 'pnpm.sh'),
    '-r',
    '--filter',
    './packages/*',
    'pack',
    '--pack-destination',
    out,
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
const tarballs = readdirSync(out)
  .filter((f) => f.endsWith('.tgz'))
  .sort();
process.stdout.write(tarballs.map((f) => join(out, f)).join('\n') + '\n');
