/*
 * Ctrl-C at the library level, with real processes: a child runs an experiment wired to
 * interruptOnSignals() and this test sends it SIGINT once (drain: running replicates finish and
 * are stored) or twice (stop at once), serially and in a worker pool, then resumes it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'interrupt-run.mjs');
const SLOW = 90_000;
const REPLICATES = 6;

interface Outcome {
  readonly aborted: boolean;
  readonly ok: boolean;
  readonly dir: string;
  readonly jsonAborted: boolean;
  readonly metrics: { baseline: { metrics: { value?: number[] } } };
}

interface Finished {
  readonly code: number | null;
  readonly outcome: Outcome;
  readonly stderr: string;
}

interface Setup {
  readonly root: string;
  readonly cache: string;
  readonly trace: string;
}

function setup(): Setup {
  const dir = tempDir();
  return { root: join(dir, 'data'), cache: join(dir, 'cache'), trace: join(dir, 'trace.log') };
}

function traceLines(s: Setup): string[] {
  return existsSync(s.trace)
    ? readFileSync(s.trace, 'utf8').trim().split('\n').filter(Boolean)
    : [];
}

/** Runs the fixture; `interrupt(trace)` is polled and says how many SIGINTs to send now. */
async function runChild(
  s: Setup,
  env: Record<string, string>,
  interrupt?: (lines: string[]) => number,
): Promise<Finished> {
  const proc = spawn(process.execPath, [fixture], {
    env: {
      ...process.env,
      CZ_ROOT: s.root,
      CZ_CACHE: s.cache,
      CZ_TRACE: s.trace,
      CZ_REPLICATES: String(REPLICATES),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<number | null>((res) => proc.on('close', (code) => res(code)));
  let exited = false;
  void closed.then(() => (exited = true));
  if (interrupt) {
    while (!out.includes('ready\n') && !exited) await sleep(10);
    for (let sent = false; !sent && !exited;) {
      const n = interrupt(traceLines(s));
      if (n > 0) {
        for (let i = 0; i < n; i++) {
          proc.kill('SIGINT');
          // Let the first signal's handler run before the second arrives.
          if (i + 1 < n) await sleep(50);
        }
        sent = true;
      } else await sleep(10);
    }
  }
  const code = await closed;
  const last = out.trim().split('\n').pop() ?? '';
  if (!last.startsWith('{'))
    throw new Error(`child ended (${code}) without a result:\n${out}\n${err}`);
  return { code, outcome: JSON.parse(last) as Outcome, stderr: err };
}

const ended = (lines: string[]): string[] => lines.filter((l) => l.startsWith('end '));
const started = (lines: string[]): string[] => lines.filter((l) => l.startsWith('start '));

/** Replicates whose baseline and treatment both ended, per the trace. */
function finishedReplicates(lines: string[]): number[] {
  const reps: number[] = [];
  for (let r = 0; r < REPLICATES; r++) {
    if (lines.includes(`end baseline ${r}`) && lines.includes(`end other ${r}`)) reps.push(r);
  }
  return reps;
}

function stored(dir: string, condition: string): { seeds: number[]; value: number[] } {
  const r = JSON.parse(readFileSync(join(dir, condition, 'results.json'), 'utf8')) as {
    seeds: number[];
    metrics: { value?: number[] };
  };
  return { seeds: r.seeds, value: r.metrics.value ?? [] };
}

function metadata(dir: string): { aborted: boolean; ok: boolean } {
  return JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as {
    aborted: boolean;
    ok: boolean;
  };
}

describe.each([
  ['serially', {}],
  ['in a ParallelExecution pool', { CZ_PARALLEL: '1' }],
])('Ctrl-C %s', (_label, mode: Record<string, string>) => {
  it(
    'once: starts no new replicate, finishes and stores the running ones, says how to resume, and resume computes only the rest',
    async () => {
      const s = setup();
      const first = await runChild(s, { ...mode, CZ_STEP_MS: '300' }, (lines) =>
        // Interrupt once a replicate is done and another is running.
        ended(lines).length >= 2 && started(lines).length > ended(lines).length ? 1 : 0,
      );
      expect(first.code).toBe(130);
      expect(first.outcome.aborted).toBe(true);
      expect(first.outcome.jsonAborted).toBe(true);
      expect(first.outcome.ok).toBe(false);
      const lines = traceLines(s);
      // Drained: every step call that started also finished.
      expect(ended(lines).length).toBe(started(lines).length);
      const done = finishedReplicates(lines);
      expect(done.length).toBeGreaterThan(0);
      expect(done.length).toBeLessThan(REPLICATES);
      // The finished replicates are stored (their values, in replicate order), none marked complete.
      expect(stored(first.outcome.dir, 'baseline').value).toEqual(done.map((r) => r * 10));
      expect(stored(first.outcome.dir, 'other').value).toEqual(done.map((r) => r * 10 + 1));
      expect(first.outcome.metrics.baseline.metrics.value).toEqual(done.map((r) => r * 10));
      expect(existsSync(join(first.outcome.dir, 'baseline', '.crystallize_complete'))).toBe(false);
      expect(metadata(first.outcome.dir).aborted).toBe(true);
      expect(first.stderr).toMatch(/Press Ctrl-C again to stop at once/);
      expect(first.stderr).toMatch(
        new RegExp(`run interrupted: ${done.length} of ${REPLICATES} replicates done`),
      );
      expect(first.stderr).toMatch(/strategy: 'resume'.*crystallize run --resume/);

      // Resume: only the replicates the interrupted run did not finish are computed.
      const before = lines.length;
      const resumed = await runChild(s, { ...mode, CZ_STEP_MS: '0', CZ_RESUME: '1' });
      expect(resumed.code).toBe(0);
      expect(resumed.outcome.aborted).toBe(false);
      expect(resumed.outcome.ok).toBe(true);
      const rest = traceLines(s).slice(before);
      const computed = [...new Set(ended(rest).map((l) => Number(l.split(' ')[2])))].sort();
      expect(computed).toEqual(
        Array.from({ length: REPLICATES }, (_, r) => r).filter((r) => !done.includes(r)),
      );
      const all = Array.from({ length: REPLICATES }, (_, r) => r * 10);
      expect(resumed.outcome.metrics.baseline.metrics.value).toEqual(all);
      expect(stored(resumed.outcome.dir, 'baseline').value).toEqual(all);
      expect(existsSync(join(resumed.outcome.dir, 'baseline', '.crystallize_complete'))).toBe(true);
    },
    SLOW,
  );

  it(
    'twice: stops at once, keeps and stores the finished replicates, and the process exits',
    async () => {
      const s = setup();
      const run = await runChild(s, { ...mode, CZ_STEP_MS: '1500' }, (lines) =>
        ended(lines).length >= 2 && started(lines).length > ended(lines).length ? 2 : 0,
      );
      expect(run.code).toBe(130);
      expect(run.outcome.aborted).toBe(true);
      expect(run.stderr).toMatch(/interrupted again: stopping now/);
      const lines = traceLines(s);
      const done = finishedReplicates(lines);
      expect(done.length).toBeLessThan(REPLICATES);
      expect(stored(run.outcome.dir, 'baseline').value).toEqual(done.map((r) => r * 10));
      expect(metadata(run.outcome.dir).aborted).toBe(true);
      // Nothing runs on after the process ended: no worker outlived it.
      await sleep(1800);
      expect(traceLines(s)).toEqual(lines);
      if (mode.CZ_PARALLEL) {
        // Workers were terminated mid-step: some call started and never ended.
        expect(started(lines).length).toBeGreaterThan(ended(lines).length);
      }
    },
    SLOW,
  );
});
