/**
 * Two experiments chained through an artifact: `prepare` fits per-replicate statistics and
 * stores them as `stats.json`; `evaluate` reads them as its data source. ExperimentGraph infers
 * the edge from the artifact and runs `prepare` first.
 *   node dist/chain.js            (results under ./data, or $CRYSTALLIZE_EXAMPLES_DATA)
 *
 * The experiments are built at module level on purpose: a worker (ParallelExecution) rebuilds
 * an experiment by importing the module that defined it, and the downstream's artifact must
 * meet its producer there too.
 */
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import {
  Artifact,
  ArtifactPlugin,
  Experiment,
  ExperimentGraph,
  FrozenContext,
  LoggingPlugin,
  ParallelExecution,
  Param,
  PipelineStep,
  Step,
  treatment,
  type GraphEvent,
  type Result,
} from 'crystallize';

export interface Stats {
  readonly mean: number;
  readonly std: number;
}

/** The artifact both experiments share: written by `prepare`, read by `evaluate`. */
export const stats = new Artifact<Stats>('stats.json');

const rootDir = process.env['CRYSTALLIZE_EXAMPLES_DATA'] ?? 'data';
// CRYSTALLIZE_EXAMPLES_PARALLEL=1 runs both experiments' replicates in worker threads. Workers
// import this module too, and see the same environment, so they rebuild the same experiments.
const parallel = process.env['CRYSTALLIZE_EXAMPLES_PARALLEL'] === '1';
const plugins = () => [
  new ArtifactPlugin({ rootDir }),
  new LoggingPlugin({ level: 'warn' }),
  ...(parallel ? [new ParallelExecution({ maxWorkers: 2 })] : []),
];

/** Draws `n` noisy samples around 10 from the replicate's seeded rng. */
function samples(ctx: FrozenContext): number[] {
  const spread = Number(ctx.get('spread', 1));
  return Array.from({ length: 50 }, () => 10 + spread * ctx.rng.normal());
}

export class FitStats extends Step<number[], Stats> {
  @Param() out = stats;

  @PipelineStep()
  run(xs: number[], ctx: FrozenContext): Stats {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    this.out.write({ mean, std });
    ctx.metrics.add('mean', mean);
    return { mean, std };
  }
}

export class ZScore extends Step<Stats, number> {
  @Param() point = 12;

  @PipelineStep()
  run(s: Stats, ctx: FrozenContext): number {
    const z = (this.point - s.mean) / s.std;
    ctx.metrics.add('z', z);
    return z;
  }
}

export const prepare = new Experiment({
  name: 'prepare',
  datasource: samples,
  pipeline: [FitStats],
  outputs: [stats],
  treatments: [treatment('wide', { spread: 3 })],
  replicates: 3,
  plugins: plugins(),
  cache: false,
});

export const evaluate = new Experiment({
  name: 'evaluate',
  datasource: stats, // replicate r reads prepare's replicate r; 'wide' reads prepare's 'wide'
  pipeline: [ZScore],
  plugins: plugins(),
  cache: false,
});

/** Runs the chain; `onEvent` sees running/completed per experiment. */
export async function runChain(onEvent?: (e: GraphEvent) => void): Promise<Record<string, Result>> {
  const graph = ExperimentGraph.fromExperiments([prepare, evaluate]);
  return graph.run(onEvent ? { onEvent } : {});
}

/** Ends the worker pools of a parallel run (idle workers would not keep the process alive anyway). */
export async function closePools(): Promise<void> {
  for (const exp of [prepare, evaluate]) {
    const execution = exp.execution;
    if (execution instanceof ParallelExecution) await execution.close();
  }
}

async function main(): Promise<void> {
  const results = await runChain((e) => console.log(`${e.type}: ${e.experiment}`));
  await closePools();
  const z = results['evaluate']!.metrics;
  console.log('evaluate baseline z:', z.baseline.metrics['z']);
  console.log('evaluate wide z:    ', z.treatments['wide']?.metrics['z']);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
