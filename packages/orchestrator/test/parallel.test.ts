import {
  existsSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { PipelineStep, Step, ValidationError } from '@crystallize/core';
import {
  Experiment,
  ParallelExecution,
  Pipeline,
  type Result,
  type StepRecord,
} from '@crystallize/orchestrator';
import {
  ROOT,
  asyncExp,
  exitingExp,
  failingExp,
  functionMetricExp,
  hogExp,
  parallelExp,
  progress,
  serialExp,
  slowExp,
  TRACE,
  tracedExp,
} from './fixtures/parallel-experiments.js';
import { quietPlugins } from './helpers.js';

/** Worker start-up and a TypeScript loader make these slower than unit tests. */
const SLOW = 60_000;

afterAll(async () => {
  for (const exp of [
    parallelExp,
    failingExp,
    exitingExp,
    hogExp,
    functionMetricExp,
    slowExp,
    tracedExp,
  ]) {
    await (exp.execution as ParallelExecution).close();
  }
  rmSync(ROOT, { recursive: true, force: true });
}, SLOW);

/**
 * What must agree between execution modes: everything but the thread that ran it and each
 * call's measured wall time (`durationMs`, a measurement, not a result).
 */
function comparable(result: Result): unknown {
  const strip = (records: readonly StepRecord[]) =>
    records.map(({ durationMs: _measured, ...r }) => ({
      ...r,
      ctxChanges: {
        ...r.ctxChanges,
        metrics: r.ctxChanges.metrics.filter((m) => m.name !== 'thread'),
      },
    }));
  const provenance: Record<string, Record<string, unknown>> = {};
  for (const [condition, reps] of Object.entries(result.provenance.ctxChanges)) {
    provenance[condition] = Object.fromEntries(
      Object.entries(reps).map(([rep, recs]) => [rep, strip(recs)]),
    );
  }
  const metrics = (m: Record<string, unknown[]>) => ({ ...m, thread: undefined });
  return {
    baseline: metrics(result.metrics.baseline.metrics),
    double: metrics(result.metrics.treatments['double']?.metrics ?? {}),
    seeds: result.provenance.seeds,
    provenance,
    errors: Object.keys(result.errors),
  };
}

function cacheFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((step) => readdirSync(join(dir, step)).map((f) => `${step}/${f}`))
    .sort();
}

describe('ParallelExecution', () => {
  it(
    'runs replicates in real worker threads, not in the test thread',
    async () => {
      const result = await parallelExp.run({ replicates: 6 });
      const threads = new Set(result.metrics.baseline.metrics['thread']);
      expect(threads.has(threadId)).toBe(false);
      expect(threads.size).toBeGreaterThanOrEqual(1);
      expect(result.metrics.baseline.metrics['y']).toHaveLength(6);
    },
    SLOW,
  );

  it(
    'gives the same metrics, seeds, provenance and cache entries as serial execution, and async agrees on ctx.rng',
    async () => {
      // Fresh caches, so every mode computes (and writes) every entry itself.
      for (const name of ['serial', 'async', 'parallel'])
        rmSync(join(ROOT, `cache-modes-${name}`), { recursive: true, force: true });
      const serial = await serialExp.run({ replicates: 6 });
      const asynced = await asyncExp.run({ replicates: 6 });
      const parallel = await parallelExp.run({ replicates: 6 });
      expect(comparable(parallel)).toEqual(comparable(serial));
      // Interleaved async replicates cannot keep Math.random exact (SPEC §6; the run log warns),
      // but ctx.rng and the seeds stay identical.
      expect(asynced.provenance.seeds).toEqual(serial.provenance.seeds);
      expect(asynced.metrics.baseline.metrics['rng']).toEqual(
        serial.metrics.baseline.metrics['rng'],
      );
      expect(asynced.metrics.treatments['double']?.metrics['rng']).toEqual(
        serial.metrics.treatments['double']?.metrics['rng'],
      );
      // Math.random and ctx.rng inside steps were seeded identically in the workers.
      expect(parallel.metrics.baseline.metrics['rng']).toEqual(
        serial.metrics.baseline.metrics['rng'],
      );
      // The same cache keys, so the same entry files, whichever mode wrote them.
      const serialCache = cacheFiles(join(ROOT, 'cache-modes-serial'));
      expect(serialCache.length).toBeGreaterThan(0);
      expect(cacheFiles(join(ROOT, 'cache-modes-parallel'))).toEqual(serialCache);
      // And a rerun in workers hits the entries the workers wrote.
      const again = await parallelExp.run({ replicates: 6 });
      expect(again.provenance.ctxChanges['baseline']?.[0]?.[0]?.cacheHit).toBe(true);
    },
    SLOW,
  );

  it(
    'writes artifacts from workers into the same layout and manifest as a serial run',
    async () => {
      const parallel = await parallelExp.run({ replicates: 3 });
      const serial = await serialExp.run({ replicates: 3 });
      for (const result of [parallel, serial]) {
        const dir = result.dir as string;
        const file = join(dir, 'replicate_2', 'double', 'WriteArtifact', 'value.json');
        expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('value');
        const manifest = JSON.parse(readFileSync(join(dir, '_manifest.json'), 'utf8')) as Record<
          string,
          { files: string[] }
        >;
        expect(manifest['value.json']?.files).toHaveLength(6);
      }
    },
    SLOW,
  );

  it(
    "logs a replicate that failed in a worker in the parent's run.log, with its error class",
    async () => {
      const result = await failingExp.run();
      const log = readFileSync(join(result.dir as string, 'run.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; replicate?: number; err?: { type: string } });
      const failed = log.filter((l) => /^baseline replicate 1 failed: /.test(l.msg));
      expect(failed).toHaveLength(1);
      expect(failed[0]?.err?.type).toBe('Error');
      expect(failed[0]?.msg).toContain('replicate one is broken');
    },
    SLOW,
  );

  it(
    'reports a step that throws in a worker as PipelineExecutionError and keeps the other replicates',
    async () => {
      const result = await failingExp.run();
      expect(Object.keys(result.errors)).toEqual(['baseline_rep_1']);
      const error = result.errors['baseline_rep_1'] as Error & { stepName?: string };
      expect(error.name).toBe('PipelineExecutionError');
      expect(error.stepName).toBe('Fails');
      expect(error.message).toContain('replicate one is broken');
      expect(error.stack).toContain('replicate one is broken');
      expect(result.metrics.baseline.metrics['x']).toEqual([0, 2, 3]);
    },
    SLOW,
  );

  it(
    'fails only the replicate whose step calls process.exit, and the worker lives on',
    async () => {
      const result = await exitingExp.run();
      expect(Object.keys(result.errors)).toEqual(['baseline_rep_1']);
      expect(result.errors['baseline_rep_1']?.message).toMatch(
        /process\.exit\(3\) was called inside a worker thread/,
      );
      expect(result.metrics.baseline.metrics['x']).toEqual([0, 2, 3]);
      const again = await exitingExp.run({ replicates: 1 });
      expect(again.metrics.baseline.metrics['x']).toEqual([0]);
    },
    SLOW,
  );

  it(
    'fails only the replicate whose worker runs out of memory under resourceLimits',
    async () => {
      const result = await hogExp.run();
      expect(Object.keys(result.errors)).toEqual(['baseline_rep_2']);
      expect(result.errors['baseline_rep_2']?.message).toMatch(/died/);
      expect(result.metrics.baseline.metrics['x']).toEqual([0, 1, 3]);
    },
    SLOW,
  );

  it(
    'names a metric that cannot be sent back from a worker instead of losing the run',
    async () => {
      const result = await functionMetricExp.run();
      expect(Object.keys(result.errors)).toEqual(['baseline_rep_0']);
      expect(result.errors['baseline_rep_0']?.message).toMatch(
        /metric 'callback'.*cannot be sent from a worker/,
      );
      expect(result.metrics.baseline.metrics['callback']).toEqual([{ ok: 1 }]);
    },
    SLOW,
  );

  it(
    'refuses, before any replicate runs, an experiment that a worker cannot rebuild',
    async () => {
      let ran = 0;
      class Counted extends Step<number, number> {
        @PipelineStep() run(x: number): number {
          ran += 1;
          return x;
        }
      }
      // Built inside a test body: no module exports it, so a worker cannot import it.
      const exp = new Experiment({
        name: 'not-exported',
        datasource: () => 1,
        pipeline: new Pipeline([Counted]),
        plugins: [...quietPlugins(), new ParallelExecution({ maxWorkers: 1 })],
        cache: false,
      });
      const run = exp.run({ replicates: 2 });
      await expect(run).rejects.toThrow(ValidationError);
      // Here the module is this test file, which runs code when imported: the message says why
      // that cannot work and what to do instead.
      await expect(run).rejects.toThrow(
        /importing .*parallel\.test\.ts in a worker failed.*export const exp = new Experiment/,
      );
      expect(ran).toBe(0);
      await (exp.execution as ParallelExecution).close();
    },
    SLOW,
  );

  it(
    'stops on abort: queued replicates never start, running workers end, completed ones are stored',
    async () => {
      const controller = new AbortController();
      progress.onRecord = () => {
        controller.abort(); // as soon as the first replicate is back in the parent
      };
      const result = await slowExp.run({ signal: controller.signal });
      progress.onRecord = undefined;
      // 8 replicates (x = replicate index) on 2 workers: only the two running when the abort came
      // (replicates 0 and 1) can be stored; none of the six queued ones runs to the end.
      const done = result.metrics.baseline.metrics['x'] ?? [];
      expect(done.length).toBeGreaterThan(0);
      expect(done.length).toBeLessThanOrEqual(2);
      expect(done.every((x) => x === 0 || x === 1)).toBe(true);
      expect(Object.keys(result.errors)).toEqual([]);
      const dir = result.dir as string;
      expect(existsSync(join(dir, 'baseline', '.crystallize_complete'))).toBe(false);
      const stored = JSON.parse(readFileSync(join(dir, 'baseline', 'results.json'), 'utf8')) as {
        metrics: { x: number[] };
      };
      expect(stored.metrics.x).toEqual(done);
      // The pool was ended; the next run starts a fresh one and completes.
      const next = await slowExp.run({ replicates: 2 });
      expect(next.metrics.baseline.metrics['x']).toEqual([0, 1]);
    },
    SLOW,
  );
  it(
    'resume runs in the workers only the (condition, replicate) pairs the journal lacks',
    async () => {
      const first = await tracedExp.run();
      const expDir = join(ROOT, 'data', 'par-traced');
      const staged = join(expDir, '.v0.next');
      // The folder a run killed after replicates 0 and 1 (1 without 'double') leaves behind.
      renameSync(join(expDir, 'v0'), staged);
      for (const name of readdirSync(staged)) {
        const p = join(staged, name);
        if (statSync(p).isDirectory() && !name.startsWith('replicate_'))
          rmSync(p, { recursive: true });
      }
      rmSync(join(staged, 'metadata.json'));
      const journal = join(staged, 'journal.jsonl');
      const kept = readFileSync(journal, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l.slice(l.indexOf(' ') + 1)) as {
              replicate: number;
              conditions: { condition: string }[];
            },
        )
        .filter((e) => e.replicate < 2)
        .map((e) =>
          e.replicate === 1
            ? { ...e, conditions: e.conditions.filter((c) => c.condition !== 'double') }
            : e,
        )
        .map((e) => {
          const json = JSON.stringify(e);
          return `${createHash('sha1').update(json).digest('hex').slice(0, 12)} ${json}`;
        });
      writeFileSync(journal, kept.join('\n') + '\n');
      rmSync(TRACE, { force: true });
      const resumed = await tracedExp.run({ strategy: 'resume' });
      const ran = readFileSync(TRACE, 'utf8').split('\n').filter(Boolean).sort();
      expect(ran).toEqual(['baseline:2', 'baseline:3', 'double:1', 'double:2', 'double:3']);
      expect(resumed.metrics.baseline.metrics).toEqual(first.metrics.baseline.metrics);
      expect(resumed.metrics.treatments).toEqual(first.metrics.treatments);
    },
    SLOW,
  );
});
