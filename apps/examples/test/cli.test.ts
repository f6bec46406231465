/*
 * Every example runs from the command line (`node apps/examples/dist/<name>.js <dir>`) and
 * writes only under the folder it is given — never into the current directory.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkspace, repo } from './build-workspace.js';
import { tempDir } from './temp-dir.js';

const examples = [
  'steps',
  'context',
  'treatments-hypotheses',
  'caching',
  'plugins',
  'artifacts',
  'resume',
  'results',
  'quick-experiment',
  'optimize',
];

beforeAll(buildWorkspace, 120_000);

describe('examples from the command line', () => {
  it.each(examples)(
    'node dist/%s.js <dir> exits 0 and writes only under <dir>',
    (name) => {
      const cwd = tempDir();
      const out = tempDir();
      const run = spawnSync(
        process.execPath,
        [join(repo, 'apps', 'examples', 'dist', `${name}.js`), out],
        {
          cwd,
          env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent', CRYSTALLIZE_CACHE_DIR: '' },
          encoding: 'utf8',
        },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.length).toBeGreaterThan(0);
      expect(readdirSync(cwd)).toEqual([]);
    },
    60_000,
  );
});
