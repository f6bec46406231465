/*
 * The README demo, run the way a user runs it: built with tsc, started with node in a fresh
 * folder (results and cache land in that folder, as they land in the repo for `npm run demo`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkspace, repo } from './build-workspace.js';
import { tempDir } from './temp-dir.js';

const demo = join(repo, 'apps', 'examples', 'dist', 'demo.js');

function runDemo(cwd: string): string {
  const run = spawnSync(process.execPath, [demo], {
    cwd,
    env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'info', CRYSTALLIZE_CACHE_DIR: '' },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`demo failed (${run.status}):\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

beforeAll(buildWorkspace, 120_000);

describe('README demo (node apps/examples/dist/demo.js)', () => {
  it('prints the seed example metrics and a provenance tree, and stores the results', () => {
    const cwd = tempDir();
    const out = runDemo(cwd);
    expect(out).toContain('metrics: { sum: [ 9, 9, 9 ] }');
    expect(out).toContain('baseline\n├─ replicate 0\n│  ├─ ScaleData\n');
    // A fresh cache: ScaleData really ran at least once (replicates may then hit its entry).
    expect(out).toMatch(/ScaleData\n[│ ]*└─ ran\n/);
    expect(out).toContain('└─ ComputeSum\n      └─ ran; metrics sum');
    expect(out).toContain('results stored in data/scale-demo/v0');

    const run = join(cwd, 'data', 'scale-demo', 'v0');
    const stored = JSON.parse(readFileSync(join(run, 'baseline', 'results.json'), 'utf8')) as {
      metrics: unknown;
      seeds: unknown;
    };
    expect(stored.metrics).toEqual({ sum: [9, 9, 9] });
    expect(stored.seeds).toEqual([42, 42 + 31337, 42 + 2 * 31337]);
    for (const f of [
      'baseline/.crystallize_complete',
      'metadata.json',
      '_manifest.json',
      'run.log',
    ])
      expect(existsSync(join(run, f))).toBe(true);
    expect(existsSync(join(cwd, '.cache'))).toBe(true); // ScaleData is cacheable
  }, 60_000);

  it('serves ScaleData from the cache when run again in the same folder', () => {
    const cwd = tempDir();
    runDemo(cwd);
    const out = runDemo(cwd);
    expect(out).toContain('metrics: { sum: [ 9, 9, 9 ] }');
    expect(out).toContain('├─ replicate 0\n│  ├─ ScaleData\n│  │  └─ cache hit');
    expect(out).not.toMatch(/ScaleData\n[│ ]*└─ ran/);
  }, 60_000);
});
