/**
 * The W1/W4 experiment shape (BENCH.md): baseline + one treatment, R replicates, 10 trivial
 * steps (`x + delta`, the last one records a metric), serial, default plugins.
 */
import 'reflect-metadata';
import {
  ArtifactPlugin,
  Experiment,
  LoggingPlugin,
  Param,
  Pipeline,
  PipelineStep,
  Step,
  treatment,
  type FrozenContext,
} from 'crystallize';

export class AddDelta extends Step<number, number> {
  @Param() delta = 1;

  @PipelineStep()
  run(x: number): number {
    return x + this.delta;
  }
}

export class AddAndRecord extends Step<number, number> {
  @Param() delta = 1;

  @PipelineStep()
  run(x: number, ctx: FrozenContext): number {
    const y = x + this.delta;
    ctx.metrics.add('y', y);
    return y;
  }
}

import { STEPS } from './w1-plain.js';

export { STEPS };

/** The experiment under test; `rootDir` receives the stored results (default plugins otherwise). */
export function w1Experiment(rootDir: string): Experiment {
  return new Experiment({
    name: 'w1-overhead',
    datasource: (ctx) => ctx.get<number>('replicate') ?? 0,
    pipeline: new Pipeline([...Array.from({ length: STEPS - 1 }, () => AddDelta), AddAndRecord]),
    treatments: [treatment('plus2', { delta: 2 })],
    plugins: [new ArtifactPlugin({ rootDir }), new LoggingPlugin({ level: 'silent' })],
    cache: false,
  });
}
