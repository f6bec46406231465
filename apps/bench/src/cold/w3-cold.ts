/**
 * Cold tier, W3: the first `run()` of a fresh process — pool start included — of 16 CPU-bound
 * ~100 ms replicates with default ParallelExecution, against the first serial `run()` of other
 * fresh processes; speedup = serial median ÷ parallel median. Metrics and seeds must be equal.
 */
import { availableParallelism } from 'node:os';
import { line, type BenchContext, type Summary, type Workload } from '../harness.js';
import { type FreshRun, runFresh, COLD_CHILD as CHILD } from './fresh-process.js';
import { pythonParams, runAnchor } from './python-anchor.js';
import { over, vsPython } from './samples.js';

const REPLICATES = 16;

/** Serial ÷ parallel medians; min–max from the extremes of both series. */
function speedup(serial: Summary, parallel: Summary): Summary {
  return {
    median: serial.median / parallel.median,
    min: serial.min / parallel.max,
    max: serial.max / parallel.min,
    runs: Math.min(serial.runs, parallel.runs),
  };
}

const sameResults = (runs: readonly FreshRun[], keys: readonly string[]): boolean =>
  keys.every((k) => new Set(runs.map((r) => JSON.stringify(r.report[k]))).size === 1);

export const w3Cold: Workload = {
  id: 'W3',
  tier: 'cold',
  description: `first run() of a fresh process, 16 x ~100 ms CPU replicates, serial vs parallel (${availableParallelism()} cores, defaults)`,
  async run(ctx: BenchContext): Promise<void> {
    const quick = ctx.quick ? ['quick'] : [];
    const serialRuns: FreshRun[] = [];
    const parallelRuns: FreshRun[] = [];
    for (let i = 0; i < ctx.processes; i++) {
      // Alternated, so a noisy stretch of the shared machine hits both sides alike.
      serialRuns.push(runFresh(process.execPath, [CHILD, 'w3', 'serial', ...quick]));
      parallelRuns.push(runFresh(process.execPath, [CHILD, 'w3', 'parallel', ...quick]));
    }
    const serial = over(serialRuns, 'run_ms');
    const parallel = over(parallelRuns, 'run_ms');
    const ours = speedup(serial, parallel);
    const params = { replicates: REPLICATES, workers: availableParallelism() };
    ctx.emit(line('W3', 'first_run_serial_ms', 'ms', serial, undefined, params));
    ctx.emit(
      line('W3', 'first_run_parallel_ms', 'ms', parallel, serial, {
        ...params,
        includes: 'pool start',
      }),
    );
    ctx.emit(
      line('W3', 'first_run_speedup', 'x', ours, undefined, {
        ...params,
        identical_metrics_and_seeds: sameResults(
          [...serialRuns, ...parallelRuns],
          ['metrics', 'seeds'],
        ),
        target: 1.9,
      }),
    );

    const anchor = ctx.python;
    if (!anchor) return;
    // ~100 ms per replicate in CPython is fewer iterations than in V8; quick: a token amount.
    const iterations = ctx.quick ? ['1000'] : [];
    const py: Record<string, FreshRun[]> = { serial: [], parallel: [], 'parallel-tuned': [] };
    for (let i = 0; i < ctx.processes; i++)
      for (const mode of Object.keys(py))
        py[mode]!.push(runAnchor(anchor, 'w3.py', [mode, ...iterations]));
    const pySerial = over(py.serial!, 'run_ms');
    const pyDefault = speedup(pySerial, over(py.parallel!, 'run_ms'));
    const pyTuned = speedup(pySerial, over(py['parallel-tuned']!, 'run_ms'));
    const pyParams = { ...params, ...pythonParams(anchor) };
    ctx.emit(line('W3', 'first_run_serial_ms', 'ms', pySerial, undefined, pyParams));
    ctx.emit(
      line('W3', 'first_run_speedup', 'x', pyDefault, undefined, {
        ...pyParams,
        settings: 'ParallelExecution(executor_type="process"), default workers',
        identical_metrics: sameResults(Object.values(py).flat(), ['metrics_digest']),
      }),
    );
    ctx.emit(
      line('W3', 'first_run_speedup_tuned', 'x', pyTuned, undefined, {
        ...pyParams,
        settings: `ParallelExecution(executor_type="process", max_workers=${availableParallelism()})`,
      }),
    );
    ctx.emit(vsPython('W3', 'first_run_speedup', ours, pyDefault, 'higher'));
  },
};
