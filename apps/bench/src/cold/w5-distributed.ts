/**
 * Cold tier, W5: W3 (16 replicates of ~100 ms CPU) through Redis with 2 worker processes
 * (`crystallize worker --preload <module>` equivalents, one thread each) on this machine, against W3 serial in
 * fresh processes; and trivial replicates for the dispatch cost (submit to result) per replicate.
 * Starts its own redis-server on a free port; skipped with a message when there is none.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { line, type BenchContext, type Summary, type Workload } from '../harness.js';
import { COLD_CHILD, runFresh, type FreshRun } from './fresh-process.js';
import { over } from './samples.js';
import { REPO } from '../workloads/w5-experiments.js';

const W5_CHILD = fileURLToPath(new URL('./w5-child.js', import.meta.url));
const WORKER_BIN = join(REPO, 'packages', 'distributed', 'dist', 'bin', 'worker.js');
/** The module defining the W5 experiments, relative to the repository (the workers' root). */
const W5_MODULE = 'apps/bench/dist/workloads/w5-experiments.js';
const REPLICATES = 16;
const TRIVIAL = 400;

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

async function waitFor(test: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (!test()) {
    if (Date.now() > end) throw new Error(`W5: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function speedup(serial: Summary, other: Summary): Summary {
  return {
    median: serial.median / other.median,
    min: serial.min / other.max,
    max: serial.max / other.min,
    runs: Math.min(serial.runs, other.runs),
  };
}

export const w5Distributed: Workload = {
  id: 'W5',
  tier: 'cold',
  description: `W3 through Redis with 2 worker processes vs serial; ${TRIVIAL} trivial replicates for dispatch cost`,
  async run(ctx: BenchContext): Promise<void> {
    if (spawnSync('redis-server', ['--version']).status !== 0) {
      process.stderr.write(
        '# W5 skipped: no redis-server on this machine (apt-get install redis-server)\n',
      );
      return;
    }
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const workers: ChildProcess[] = [];
    try {
      const env = { CZ_REDIS_URL: url, CZ_QUEUE: 'crystallize-bench' };
      for (let i = 0; i < 2; i++) {
        const w = spawn(
          process.execPath,
          [
            WORKER_BIN,
            '--redis',
            url,
            '--root',
            REPO,
            '--concurrency',
            '1',
            '--queue',
            env.CZ_QUEUE,
            // Warm threads, as a user starting workers for a known experiment would have them.
            '--preload',
            W5_MODULE,
          ],
          {
            env: { ...process.env, ...env, CRYSTALLIZE_LOG_LEVEL: 'info' },
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let text = '';
        w.stderr?.on('data', (d: Buffer) => (text += d.toString()));
        workers.push(w);
        await waitFor(() => text.includes('worker ready') || w.exitCode !== null, 'a worker');
        if (w.exitCode !== null) throw new Error(`W5: a worker exited at start:\n${text}`);
      }
      const quick = ctx.quick;
      const serialRuns: FreshRun[] = [];
      const distRuns: FreshRun[] = [];
      // Dispatch cost per replicate: the slope between a small and a large run of trivial
      // replicates (start-up — connections, imports — cancels out; it is reported apart).
      const small = quick ? 10 : 20;
      const large = quick ? 40 : TRIVIAL;
      const trivial: Record<string, FreshRun[]> = {
        'trivial-serial-small': [],
        'trivial-serial-large': [],
        'trivial-small': [],
        'trivial-large': [],
      };
      for (let i = 0; i < ctx.processes; i++) {
        serialRuns.push(
          runFresh(process.execPath, [COLD_CHILD, 'w3', 'serial', ...(quick ? ['quick'] : [])]),
        );
        distRuns.push(
          runFresh(
            process.execPath,
            [W5_CHILD, quick ? 'quick' : 'distributed', String(REPLICATES)],
            { env },
          ),
        );
        for (const key of Object.keys(trivial)) {
          const mode = key.startsWith('trivial-serial') ? 'trivial-serial' : 'trivial';
          const r = key.endsWith('small') ? small : large;
          trivial[key]!.push(runFresh(process.execPath, [W5_CHILD, mode, String(r)], { env }));
        }
      }
      const serial = over(serialRuns, 'run_ms');
      const dist = over(distRuns, 'run_ms');
      const params = { replicates: REPLICATES, worker_processes: 2, threads_per_worker: 1 };
      ctx.emit(line('W5', 'first_run_serial_ms', 'ms', serial, undefined, params));
      ctx.emit(line('W5', 'first_run_distributed_ms', 'ms', dist, serial, params));
      // The whole processes too (start, imports — BullMQ loads with the plugin —, run, exit).
      const serialWall = over(serialRuns, 'wall');
      const distWall = over(distRuns, 'wall');
      ctx.emit(line('W5', 'process_serial_ms', 'ms', serialWall, undefined, params));
      ctx.emit(line('W5', 'process_distributed_ms', 'ms', distWall, serialWall, params));
      ctx.emit(
        line('W5', 'process_speedup', 'x', speedup(serialWall, distWall), undefined, params),
      );
      ctx.emit(
        line('W5', 'speedup', 'x', speedup(serial, dist), undefined, {
          ...params,
          identical_metrics: new Set(distRuns.map((r) => r.report.metrics)).size === 1,
          target: 1.8,
        }),
      );
      const ms = (key: string, i: number): number => Number(trivial[key]![i]!.report.run_ms);
      const dispatch: number[] = [];
      const start: number[] = [];
      for (let i = 0; i < ctx.processes; i++) {
        const slope = (ms('trivial-large', i) - ms('trivial-small', i)) / (large - small);
        const serialSlope =
          (ms('trivial-serial-large', i) - ms('trivial-serial-small', i)) / (large - small);
        dispatch.push(slope - serialSlope);
        start.push(ms('trivial-small', i) - small * slope);
      }
      const summary = (xs: number[]): Summary => {
        const sorted = [...xs].sort((a, b) => a - b);
        return {
          median: sorted[sorted.length >> 1] ?? NaN,
          min: sorted[0] ?? NaN,
          max: sorted[sorted.length - 1] ?? NaN,
          runs: sorted.length,
        };
      };
      ctx.emit(
        line('W5', 'dispatch_ms_per_trivial_replicate', 'ms', summary(dispatch), undefined, {
          replicates: `${small} and ${large}`,
          worker_processes: 2,
          target: 2,
          measures: 'slope of run_ms over R (distributed) less the serial slope',
        }),
      );
      ctx.emit(
        line('W5', 'run_start_ms', 'ms', summary(start), undefined, {
          measures: 'run_ms at R = 0 by the same line: connections, first job, module checks',
        }),
      );
    } finally {
      for (const w of workers) w.kill('SIGKILL');
      redis.kill('SIGKILL');
    }
  },
};
