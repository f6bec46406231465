/*
 * SPEC §4/§6 and issue #4 item 6: the same experiment run in two fresh processes gives the same
 * id, name, metrics, seeds and provenance hashes. Each process imports the BUILT package, the way
 * a user runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from './helpers.js';

const repo = resolve(process.cwd());
const entry = pathToFileURL(join(repo, 'packages', 'crystallize', 'dist', 'index.js')).href;

const script = (rootDir: string) => `
import { Experiment, pipelineStep, treatment, ArtifactPlugin, LoggingPlugin, AsyncExecution } from ${JSON.stringify(entry)};

const noisy = pipelineStep({ name: 'Noisy', params: { spread: 1 } }, (xs, ctx, { spread }) =>
  xs.map((x) => x + spread * (ctx.rng.normal() + Math.random())),
);
const sum = pipelineStep({ name: 'Sum' }, (xs, ctx) => {
  ctx.metrics.add('sum', xs.reduce((a, b) => a + b, 0));
  ctx.metrics.add('draw', ctx.rng.int(0, 1e9));
  return xs;
});
const build = (plugins) => new Experiment({
  datasource: () => [1, 2, 3],
  pipeline: [noisy(), sum()],
  treatments: [treatment('wide', { spread: 3 })],
  plugins: [...plugins, new ArtifactPlugin({ rootDir: ${JSON.stringify(rootDir)} }), new LoggingPlugin({ level: 'silent' })],
  cache: false,
});
const exp = build([]);
const result = await exp.run({ replicates: 3 });
const hashes = Object.fromEntries(
  Object.entries(result.provenance.ctxChanges).map(([c, reps]) => [
    c,
    Object.values(reps).map((records) => records.map((r) => [r.cacheKey, r.inputHash, r.outputHash])),
  ]),
);
const asyncResult = await build([new AsyncExecution({ concurrency: 3 })]).run({ replicates: 3 });
process.stdout.write(JSON.stringify({
  id: exp.id,
  name: exp.name,
  metrics: result.metrics,
  seeds: result.provenance.seeds,
  signature: result.provenance.pipelineSignature,
  hashes,
  asyncDraws: [asyncResult.metrics.baseline.metrics.draw, asyncResult.metrics.treatments.wide.metrics.draw],
}));
`;

function runInFreshProcess(): Record<string, unknown> {
  const dir = tempDir();
  const file = join(dir, 'run.mjs');
  writeFileSync(file, script(join(dir, 'data')));
  const out = execFileSync(process.execPath, [file], {
    cwd: dir,
    env: {
      ...process.env,
      CRYSTALLIZE_LOG_LEVEL: 'silent',
      CRYSTALLIZE_CACHE_DIR: join(dir, 'cache'),
    },
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, unknown>;
}

beforeAll(() => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}, 120_000);

describe('determinism across processes', () => {
  it('gives identical ids, metrics, seeds and provenance hashes in two fresh processes', () => {
    const a = runInFreshProcess();
    const b = runInFreshProcess();
    expect(b).toEqual(a);
    expect(a['name']).toMatch(/^experiment-[0-9a-f]{12}$/);
    const seeds = a['seeds'] as Record<string, number[]>;
    expect(seeds['baseline']).toEqual([42, 42 + 31337, 42 + 2 * 31337]);
    const metrics = a['metrics'] as { baseline: { metrics: { sum: number[]; draw: number[] } } };
    // Randomness really was used: replicates differ from one another.
    expect(new Set(metrics.baseline.metrics.sum).size).toBe(3);
  }, 60_000);

  it('gives the same ctx.rng draws under AsyncExecution as serially, in a fresh process', () => {
    const a = runInFreshProcess();
    const metrics = a['metrics'] as {
      baseline: { metrics: { draw: number[] } };
      treatments: { wide: { metrics: { draw: number[] } } };
    };
    expect(a['asyncDraws']).toEqual([
      metrics.baseline.metrics.draw,
      metrics.treatments.wide.metrics.draw,
    ]);
  }, 60_000);
});
