/**
 * The W3 experiments. Worker threads rebuild them by importing this module, so they are
 * exported from its top level and importing it starts nothing.
 */
import 'reflect-metadata';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArtifactPlugin,
  Experiment,
  LoggingPlugin,
  ParallelExecution,
  Param,
  Pipeline,
  PipelineStep,
  SerialExecution,
  Step,
  type ExecutionPlugin,
  type FrozenContext,
} from 'crystallize';

/** ~100 ms of pure CPU on this project's machines at the default iteration count. */
export class Burn extends Step<number, number> {
  @Param() iterations = 100_000_000;

  @PipelineStep()
  run(seed: number, ctx: FrozenContext): number {
    let x = seed + 1;
    for (let i = 0; i < this.iterations; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
    ctx.metrics.add('burn', x);
    return x;
  }
}

// A fresh-process run (cold tier) is given its own folder; worker threads inherit the variable.
const ROOT = process.env.CZ_BENCH_DIR
  ? join(process.env.CZ_BENCH_DIR, 'w3')
  : join(tmpdir(), `cz-bench-w3-${process.pid}`);

function make(name: string, execution: ExecutionPlugin, iterations: number): Experiment {
  return new Experiment({
    name,
    datasource: (ctx) => ctx.get<number>('replicate') ?? 0,
    pipeline: new Pipeline([Burn.with({ iterations })]),
    plugins: [
      new ArtifactPlugin({ rootDir: ROOT }),
      new LoggingPlugin({ level: 'silent' }),
      execution,
    ],
    cache: false,
  });
}

const FULL = 100_000_000;
const QUICK = 100_000;

export const w3Serial = make('w3-serial', new SerialExecution(), FULL);
/** Default settings: as many workers as cores. */
export const w3Parallel = make('w3-parallel', new ParallelExecution(), FULL);
export const w3QuickSerial = make('w3-quick-serial', new SerialExecution(), QUICK);
export const w3QuickParallel = make('w3-quick-parallel', new ParallelExecution(), QUICK);
/** Trivial replicates: what dispatching one replicate to a worker costs. */
export const w3TrivialSerial = make('w3-trivial-serial', new SerialExecution(), 0);
export const w3TrivialParallel = make('w3-trivial-parallel', new ParallelExecution(), 0);
export const W3_ROOT = ROOT;
