/**
 * W3: 16 replicates of a ~100 ms pure-CPU step, serial vs ParallelExecution with default
 * settings (workers = cores), with a check that both give identical metrics; and the dispatch
 * overhead per replicate for trivial replicates.
 */
import { availableParallelism } from 'node:os';
import { rmSync } from 'node:fs';
import type { Experiment, ParallelExecution, Result } from 'crystallize';
import { line, measure, type BenchContext, type Workload } from '../harness.js';
import {
  W3_ROOT,
  w3Parallel,
  w3QuickParallel,
  w3QuickSerial,
  w3Serial,
  w3TrivialParallel,
  w3TrivialSerial,
} from './w3-experiments.js';

const REPLICATES = 16;
const TRIVIAL = 400;

async function timed(exp: Experiment, replicates: number): Promise<{ ms: number; result: Result }> {
  const t0 = performance.now();
  const result = await exp.run({ replicates });
  return { ms: performance.now() - t0, result };
}

export const w3ParallelWorkload: Workload = {
  id: 'W3',
  tier: 'warm',
  description: `16 replicates of a ~100 ms CPU step: serial vs ParallelExecution (${availableParallelism()} cores, defaults)`,
  async run(ctx: BenchContext): Promise<void> {
    const serialExp = ctx.quick ? w3QuickSerial : w3Serial;
    const parallelExp = ctx.quick ? w3QuickParallel : w3Parallel;
    try {
      // The first parallel run starts the pool (workers import the module); reported apart.
      const cold = await timed(parallelExp, REPLICATES);
      const serialOnce = await timed(serialExp, REPLICATES);
      const identical =
        JSON.stringify(cold.result.metrics.baseline.metrics) ===
          JSON.stringify(serialOnce.result.metrics.baseline.metrics) &&
        JSON.stringify(cold.result.provenance.seeds) ===
          JSON.stringify(serialOnce.result.provenance.seeds);
      const serial = await measure(() => serialExp.run({ replicates: REPLICATES }), {
        runs: ctx.runs,
        warmup: 0,
      });
      const parallel = await measure(() => parallelExp.run({ replicates: REPLICATES }), {
        runs: ctx.runs,
        warmup: 0,
      });
      ctx.emit(line('W3', 'serial_ms', 'ms', serial, undefined, { replicates: REPLICATES }));
      ctx.emit(
        line('W3', 'parallel_ms', 'ms', parallel, serial, {
          replicates: REPLICATES,
          workers: availableParallelism(),
        }),
      );
      ctx.emit({
        bench: 'W3',
        metric: 'speedup',
        value: Number((serial.median / parallel.median).toFixed(3)),
        unit: 'x',
        min: Number((serial.min / parallel.max).toFixed(3)),
        max: Number((serial.max / parallel.min).toFixed(3)),
        cold_first_run_ms: Number(cold.ms.toFixed(1)),
        cold_speedup: Number((serial.median / cold.ms).toFixed(3)),
        identical_metrics_and_seeds: identical,
        workers: availableParallelism(),
        target: 1.9,
      });

      await w3TrivialParallel.run({ replicates: 10 }); // start that pool too
      const trivialSerial = await measure(() => w3TrivialSerial.run({ replicates: TRIVIAL }), {
        runs: ctx.runs,
        warmup: 1,
      });
      const trivialParallel = await measure(() => w3TrivialParallel.run({ replicates: TRIVIAL }), {
        runs: ctx.runs,
        warmup: 1,
      });
      const perRep = (ms: number): number => ((ms - trivialSerial.median) * 1000) / TRIVIAL;
      ctx.emit(
        line(
          'W3',
          'dispatch_overhead_us_per_replicate',
          'us',
          {
            median: perRep(trivialParallel.median),
            min: perRep(trivialParallel.min),
            max: perRep(trivialParallel.max),
            runs: trivialParallel.runs,
          },
          undefined,
          {
            replicates: TRIVIAL,
            parallel_ms: Number(trivialParallel.median.toFixed(2)),
            serial_ms: Number(trivialSerial.median.toFixed(2)),
          },
        ),
      );
    } finally {
      for (const exp of [parallelExp, w3TrivialParallel])
        await (exp.execution as ParallelExecution).close();
      rmSync(W3_ROOT, { recursive: true, force: true });
    }
  },
};
