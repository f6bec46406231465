/**
 * A branching pipeline: one load step feeds two independent branches (a robust and a plain
 * summary) that a join step compares. Branches of a replicate run concurrently; each node has
 * its own `step_name`, provenance record and seeded `ctx.rng`.
 *   node dist/branching.js
 */
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import {
  ArtifactPlugin,
  Experiment,
  FrozenContext,
  LoggingPlugin,
  Pipeline,
  PipelineStep,
  Step,
  treatment,
  type Result,
} from 'crystallize';

export class LoadSamples extends Step<number, number[]> {
  @PipelineStep()
  run(n: number, ctx: FrozenContext): number[] {
    const outlier = Number(ctx.get('outlier', 0));
    return [...Array.from({ length: n }, () => 5 + ctx.rng.normal()), outlier];
  }
}

export class Mean extends Step<number[], number> {
  @PipelineStep()
  run(xs: number[]): number {
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  }
}

export class Median extends Step<number[], number> {
  @PipelineStep()
  run(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  }
}

/** Receives `{ mean, median }` — keyed by the upstream node names. */
export class Compare extends Step<{ mean: number; median: number }, number> {
  @PipelineStep()
  run(data: { mean: number; median: number }, ctx: FrozenContext): number {
    const gap = Math.abs(data.mean - data.median);
    ctx.metrics.add('mean', data.mean);
    ctx.metrics.add('median', data.median);
    ctx.metrics.add('gap', gap);
    return gap;
  }
}

export const pipeline = new Pipeline({
  load: LoadSamples,
  mean: { step: Mean, after: 'load' },
  median: { step: Median, after: 'load' },
  compare: { step: Compare, after: ['mean', 'median'] },
});

export function branchingExperiment(rootDir = 'data'): Experiment {
  return new Experiment({
    name: 'branching',
    datasource: () => 99,
    pipeline,
    treatments: [treatment('outlier', { outlier: 1000 })],
    replicates: 3,
    plugins: [new ArtifactPlugin({ rootDir }), new LoggingPlugin({ level: 'warn' })],
    cache: false,
  });
}

export async function runBranching(rootDir?: string): Promise<Result> {
  return branchingExperiment(rootDir).run();
}

async function main(): Promise<void> {
  const result = await runBranching(process.env['CRYSTALLIZE_EXAMPLES_DATA']);
  console.log('baseline gap:', result.metrics.baseline.metrics['gap']);
  console.log('outlier gap: ', result.metrics.treatments['outlier']?.metrics['gap']);
  console.log(result.printTree('replicate > step'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
