import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  REPO,
  startRedis,
  startWorkerProcess,
  submit,
  until,
  type SubmitReport,
  type RedisServer,
  type WorkerProcess,
} from './helpers/redis-server.js';

/*
 * Real redis-server, real worker processes (the package's bin), real submitter processes: the
 * submitter loads the experiment module through tsx exactly as the workers do, so their code
 * fingerprints agree (a jest-transpiled submitter would be refused — see refusals.test.ts).
 */

// Real Redis, worker processes and threads on a shared 2-core machine: a loaded run takes twice as long.
const SLOW = 240_000;
const ROOT = join(process.env['TMPDIR'] ?? '/tmp', `cz-dist-test-${process.pid}`);
let redis: RedisServer;
let workers: WorkerProcess[] = [];
let queueNo = 0;
let queue = '';

function env(): Record<string, string> {
  return { CZ_DIST_ROOT: ROOT, CZ_REDIS_URL: redis.url, CZ_QUEUE: queue };
}

beforeAll(async () => {
  redis = await startRedis();
}, SLOW);

beforeEach(() => {
  queue = `crystallize-test-${process.pid}-${++queueNo}`;
  rmSync(ROOT, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
}, SLOW);

afterAll(async () => {
  await redis?.stop();
  rmSync(ROOT, { recursive: true, force: true });
}, SLOW);

async function startWorkers(n: number, args: readonly string[] = []): Promise<WorkerProcess[]> {
  const started = await Promise.all(
    Array.from({ length: n }, () => startWorkerProcess(redis.url, env(), args)),
  );
  workers.push(...started);
  return started;
}

function storedFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e !== 'metadata.json') out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** `what replicate pid` lines the fixture steps leave when they start. */
function traces(what: string): { replicate: number; pid: number }[] {
  const file = join(ROOT, 'trace.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${what} `))
    .map((l) => {
      const [, r, p] = l.split(' ');
      return { replicate: Number(r), pid: Number(p) };
    });
}

describe('DistributedExecution with real Redis and worker processes', () => {
  it(
    'stores metrics, seeds, provenance, errors and artifacts exactly as a serial run does',
    async () => {
      const ws = await startWorkers(2);
      const serial = await submit(env(), ['serialExp', '4']).report;
      const distributed = await submit(env(), ['distExp', '4']).report;
      expect(distributed.errors).toEqual({});
      expect(distributed.metrics).toEqual(serial.metrics);
      expect(distributed.metrics['baseline']?.['special']).toEqual(
        serial.metrics['baseline']?.['special'],
      );
      expect(distributed.seeds).toEqual(serial.seeds);
      expect(distributed.provenance).toEqual(serial.provenance); // durationMs left out: measured
      // every step call that ran in a worker process came back with its time
      expect(distributed.calls.total).toBeGreaterThan(0);
      expect(distributed.calls.timed).toBe(distributed.calls.total);
      expect(distributed.errors).toEqual({});
      expect(distributed.artifacts).toEqual(serial.artifacts);
      // the replicates ran in the worker processes
      const ran = new Set(traces('start-baseline').map((t) => t.pid));
      expect(ws.some((w) => ran.has(w.pid))).toBe(true);
      // stored files: the same paths, and the same artifact and result contents
      const a = storedFiles(join(ROOT, 'data', 'dist-serial', 'v0'));
      const b = storedFiles(join(ROOT, 'data', 'dist-run', 'v0'));
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      expect(b[join('replicate_3', 'double', 'WriteArtifact', 'value.json')]).toBe(
        a[join('replicate_3', 'double', 'WriteArtifact', 'value.json')],
      );
      for (const path of Object.keys(a).filter((p) => p.endsWith('results.json'))) {
        expect(JSON.parse(b[path] as string).metrics).toEqual(
          JSON.parse(a[path] as string).metrics,
        );
      }
    },
    SLOW,
  );

  let slowSerial: Promise<SubmitReport> | undefined;
  /** The serial run the fault tests compare with (4 replicates of the slow experiment), once. */
  const serialSlow = (): Promise<SubmitReport> =>
    (slowSerial ??= submit({ ...env(), CZ_DIST_ROOT: `${ROOT}-serial` }, [
      'slowSerialExp',
      '4',
    ]).report);

  it(
    'runs the replicate of a worker killed mid-job on another worker, counting it once',
    async () => {
      const expected = await serialSlow();
      const [a, b] = await startWorkers(2);
      const run = submit(env(), ['slowExp', '4']);
      await until('a replicate to start', () => traces('start-baseline').length > 0);
      const first = traces('start-baseline')[0] as { replicate: number; pid: number };
      const victim = [a, b].find((w) => w?.pid === first.pid) as WorkerProcess;
      await victim.kill('SIGKILL');
      const result = await run.report;
      expect(result.errors).toEqual({});
      expect(result.metrics).toEqual(expected.metrics);
      expect(result.seeds).toEqual(expected.seeds);
      expect(result.metrics['baseline']?.['y']).toHaveLength(4);
      // it started in the killed worker, then again in the other one
      const starts = traces('start-baseline').filter((t) => t.replicate === first.replicate);
      expect(starts.map((t) => t.pid)).toContain(victim.pid);
      expect(starts.some((t) => t.pid !== victim.pid)).toBe(true);
    },
    SLOW,
  );

  it(
    'turns a replicate that kills every worker it lands on into a result error after the stall limit, and completes the rest',
    async () => {
      await startWorkers(3, ['--max-stalled', '1']);
      const result = await submit(env(), ['killerExp', '5']).report;
      expect(Object.keys(result.errors)).toEqual(['baseline_rep_2']);
      expect(result.errors['baseline_rep_2']?.name).toBe('ReplicateLostError');
      expect(result.errors['baseline_rep_2']?.message).toMatch(/stopped mid-job/);
      expect(result.metrics['baseline']?.['x']).toEqual([0, 1, 3, 4]);
      expect(
        workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null),
      ).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'reports a step that throws as a normal result error, without retrying it',
    async () => {
      await startWorkers(2);
      const result = await submit(env(), ['throwsExp', '5']).report;
      expect(Object.keys(result.errors)).toEqual(['baseline_rep_1']);
      expect(result.errors['baseline_rep_1']?.message).toMatch(/replicate one is broken/);
      expect(result.metrics['baseline']?.['x']).toEqual([0, 2, 3, 4]);
      expect(traces('throws').filter((t) => t.replicate === 1)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'retries a replicate whose worker thread crashed, up to attempts, and the run succeeds',
    async () => {
      await startWorkers(1);
      const result = await submit(env(), ['crashOnceExp', '5']).report;
      expect(result.errors).toEqual({});
      expect(result.metrics['baseline']?.['x']).toEqual([0, 1, 2, 3, 4]);
      // replicate 1 ran twice (the crash, then the retry); the others once
      expect(traces('attempt').filter((t) => t.replicate === 1)).toHaveLength(2);
      expect(traces('attempt').filter((t) => t.replicate === 3)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'reports a replicate whose worker thread crashed as lost when attempts are used up (default 1: no retry)',
    async () => {
      await startWorkers(1);
      const result = await submit(env(), ['crashNoRetryExp', '5']).report;
      expect(Object.keys(result.errors)).toEqual(['baseline_rep_1']);
      expect(result.errors['baseline_rep_1']?.name).toBe('ReplicateLostError');
      expect(result.errors['baseline_rep_1']?.message).toMatch(
        /failed on the worker side: .*the worker thread crashed/,
      );
      expect(result.metrics['baseline']?.['x']).toEqual([0, 2, 3, 4]);
      expect(traces('attempt').filter((t) => t.replicate === 1)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'does not retry a step that throws even when attempts allows retries: it is a result',
    async () => {
      await startWorkers(2);
      const result = await submit(env(), ['throwsWithAttemptsExp', '5']).report;
      expect(Object.keys(result.errors)).toEqual(['baseline_rep_1']);
      expect(result.errors['baseline_rep_1']?.name).toBe('PipelineExecutionError');
      expect(result.errors['baseline_rep_1']?.message).toMatch(/replicate one is broken/);
      expect(traces('throws').filter((t) => t.replicate === 1)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'completes a run when Redis restarts mid-run and loses every job',
    async () => {
      const expected = await serialSlow();
      await startWorkers(2);
      const run = submit(env(), ['slowExp', '4']);
      await until('a replicate to start', () => traces('start-baseline').length > 0);
      await redis.restart(500);
      const result = await run.report;
      expect(result.errors).toEqual({});
      expect(result.metrics).toEqual(expected.metrics);
      expect(result.seeds).toEqual(expected.seeds);
    },
    SLOW,
  );

  it(
    'does not recompute replicates finished before the submitter was killed when the run is resumed',
    async () => {
      const expected = await serialSlow();
      await startWorkers(2);
      const first = submit(env(), ['slowExp', '4']);
      await until('two replicates to finish', () => traces('start-baseline').length >= 3);
      first.proc.kill('SIGKILL');
      const result = await submit(env(), ['slowExp', '4', 'resume']).report;
      expect(result.errors).toEqual({});
      expect(result.metrics).toEqual(expected.metrics);
      // every replicate started exactly once across both submissions
      const starts = traces('start-baseline')
        .map((t) => t.replicate)
        .sort();
      expect(starts).toEqual([0, 1, 2, 3]);
    },
    SLOW,
  );

  it(
    'on drain removes waiting jobs and lets the running replicate finish and count',
    async () => {
      await startWorkers(1);
      const run = submit({ ...env(), CZ_DRAIN: '1' }, ['slowExp', '6']);
      // replicate 0 finished, replicate 1 running (in its second condition): Ctrl-C (drain)
      await until('replicate 1 to be half done', () =>
        traces('start-double').some((t) => t.replicate === 1),
      );
      run.proc.kill('SIGINT');
      const result = await run.report;
      expect(result.aborted).toBe(true);
      expect(result.errors).toEqual({});
      // The running replicate finished and counts; no other started.
      expect(result.seeds['baseline']).toHaveLength(2);
      expect(result.metrics['double']?.['y']).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 2500));
      expect(traces('start-baseline').map((t) => t.replicate)).toEqual([0, 1]);
    },
    SLOW,
  );

  it(
    'on abort removes waiting jobs, cancels running ones on the workers and stores completed replicates for resume',
    async () => {
      await startWorkers(1);
      const run = submit(env(), ['slowExp', '6']);
      // replicate 0 finished, replicate 1 running (in its second condition): Ctrl-C
      await until('replicate 1 to be half done', () =>
        traces('start-double').some((t) => t.replicate === 1),
      );
      run.proc.kill('SIGINT');
      const result = await run.report;
      expect(result.seeds['baseline']).toHaveLength(1);
      expect(result.metrics['baseline']?.['y']).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 2500));
      // nothing else ran: the waiting jobs were removed, the running one cancelled
      expect(traces('start-baseline').map((t) => t.replicate)).toEqual([0, 1]);
      // An aborted run stays in the staging folder (v0 keeps the last complete run).
      const dir = join(ROOT, 'data', 'dist-slow', '.v0.next', 'baseline');
      const stored = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
        seeds: number[];
      };
      expect(stored.seeds).toHaveLength(1);
      expect(existsSync(join(dir, '.crystallize_complete'))).toBe(false);
      // resumed: replicate 0 is not computed again
      await startWorkers(1);
      const resumed = await submit(env(), ['slowExp', '6', 'resume']).report;
      expect(resumed.errors).toEqual({});
      expect(resumed.seeds['baseline']).toHaveLength(6);
      expect(traces('start-baseline').filter((t) => t.replicate === 0)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'treats a second submission of the same run as a no-op: every replicate runs once',
    async () => {
      const a = submit(env(), ['slowExp', '3']);
      await until('the first submission', () => a.stderr().includes('submitted 3 replicate'));
      // The queue deduplicates by job id; each submitter stores into its own results root, as two
      // processes on one unversioned folder would wait for each other (concurrent-runs tests).
      const b = submit({ ...env(), CZ_DIST_DATA: join(ROOT, 'data-b') }, ['slowExp', '3']);
      await until('the second submission', () => b.stderr().includes('submitted 3 replicate'));
      await startWorkers(2);
      const [ra, rb] = await Promise.all([a.report, b.report]);
      expect(ra.errors).toEqual({});
      expect(rb.metrics).toEqual(ra.metrics);
      expect(
        traces('start-baseline')
          .map((t) => t.replicate)
          .sort(),
      ).toEqual([0, 1, 2]);
    },
    SLOW,
  );

  it(
    'keeps the lock of a CPU-bound replicate busy longer than the lock duration (steps run in worker threads)',
    async () => {
      // lockDuration is 1 s; each replicate keeps a thread busy for 1.4 s. Run on the worker's
      // main thread, it would block lock renewal and the job would stall and run twice.
      await startWorkers(1);
      const result = await submit(env(), ['slowExp', '2']).report;
      expect(result.errors).toEqual({});
      expect(
        traces('start-baseline')
          .map((t) => t.replicate)
          .sort(),
      ).toEqual([0, 1]);
      expect(
        traces('start-double')
          .map((t) => t.replicate)
          .sort(),
      ).toEqual([0, 1]);
    },
    SLOW,
  );

  it(
    'fails a replicate whose artifacts exceed what a worker carries back, saying how to fix it',
    async () => {
      await startWorkers(1);
      const result = await submit(env(), ['tinyCarryExp', '1']).report;
      expect(Object.keys(result.errors).sort()).toEqual(['baseline_rep_0', 'double_rep_0']);
      expect(result.errors['baseline_rep_0']?.name).toBe('ArtifactTransportError');
      expect(result.errors['baseline_rep_0']?.message).toMatch(/maxBytes.*shared/s);
    },
    SLOW,
  );

  it(
    "lets workers write artifacts straight into the run folder with artifacts: 'shared'",
    async () => {
      const shared = join(REPO, '.cache', `cz-dist-shared-${process.pid}`);
      try {
        await startWorkers(1);
        const serial = await submit(env(), ['serialExp', '2']).report;
        const result = await submit({ ...env(), CZ_DIST_SHARED: shared }, ['sharedExp', '2'])
          .report;
        expect(result.errors).toEqual({});
        expect(result.metrics).toEqual(serial.metrics);
        const file = join('replicate_1', 'double', 'WriteArtifact', 'value.json');
        expect(readFileSync(join(shared, 'dist-shared', 'v0', file), 'utf8')).toBe(
          readFileSync(join(ROOT, 'data', 'dist-serial', 'v0', file), 'utf8'),
        );
      } finally {
        rmSync(shared, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});
