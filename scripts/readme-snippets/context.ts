// Names the README's snippets use without defining them: the reader's own code around each
// fragment. scripts/check-readme-snippets.mjs imports into every snippet the names of this module
// that the snippet does not declare itself.
import {
  Experiment,
  Param,
  Pipeline,
  PipelineStep,
  Step,
  treatment,
  type FrozenContext,
  type Result,
} from 'crystallize';

/** Treatments and hypotheses: `@Param() dose = 0`. */
export class ApplyDose extends Step<number[], number[]> {
  @Param() dose = 0;
  @PipelineStep()
  run(data: number[]): number[] {
    return data.map((x) => x + this.dose);
  }
}

/** Treatments and hypotheses: `ctx.metrics.add('response', mean)`. */
export class MeanResponse extends Step<number[], number> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number {
    const mean = data.reduce((a, b) => a + b, 0) / data.length;
    ctx.metrics.add('response', mean);
    return mean;
  }
}

export function loadSeries(): number[] {
  return [1, 2, 3, 4, 5, 6];
}

export interface Histogram {
  readonly edges: number[];
  readonly counts: number[];
}
export declare function histogram(data: readonly number[]): Histogram;
export declare function toCsv(h: Histogram): string;

export declare function estimatePi(config: { samples: number }, ctx: FrozenContext): number;

/** An experiment and its result, as the snippets before the fragment made them. */
export declare const exp: Experiment;
export declare const result: Result;
export declare const datasource: () => number[];
export declare const pipeline: Pipeline;

export const fast = treatment('fast', { rate: 2 });
export const faster = treatment('faster', { rate: 4 });
