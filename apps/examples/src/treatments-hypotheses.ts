/**
 * Treatments and hypotheses: the same pipeline runs for a baseline and three treatments, then a
 * Welch t-test (with a Holm correction for testing three treatments) compares each treatment's
 * metric against the baseline and ranks the treatments.
 *   node apps/examples/dist/treatments-hypotheses.js [dir]
 */
import 'reflect-metadata';
import {
  Experiment,
  Param,
  PipelineStep,
  Step,
  hypothesis,
  pValueAdjustment,
  treatment,
  welchTTest,
  type FrozenContext,
} from 'crystallize';
import { artifactPluginUnder, cacheStoreUnder } from './example-storage.js';
import { exampleDir, isEntryPoint, tempDir } from './run-example.js';

/** Twenty noisy measurements per replicate, drawn from the replicate's seeded `ctx.rng`. */
export function measurements(ctx: FrozenContext): number[] {
  return Array.from({ length: 20 }, () => ctx.rng.normal(10, 2));
}

export class ApplyDose extends Step<number[], number[]> {
  @Param() dose = 0; // treatments set 'dose' in the context

  @PipelineStep()
  run(data: number[]): number[] {
    return data.map((x) => x + this.dose);
  }
}

export class MeanResponse extends Step<number[], number> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number {
    const mean = data.reduce((a, b) => a + b, 0) / data.length;
    ctx.metrics.add('response', mean);
    return mean;
  }
}

/** Welch's t-test on 'response', Holm-adjusted across treatments, ranked by p-value. */
export const doseHelps = hypothesis(
  {
    name: 'dose-helps',
    verifier: welchTTest({ alpha: 0.05 }),
    metrics: 'response',
    adjust: pValueAdjustment('holm'),
  },
  (r) => r.p_value, // lower ranks first
);

export function buildExperiment(dir: string): Experiment {
  return Experiment.builder('dose-response')
    .datasource(measurements)
    .addStep(ApplyDose)
    .addStep(MeanResponse)
    .treatments([
      treatment('placebo', { dose: 0 }),
      treatment('low', { dose: 0.5 }),
      // A treatment can also be a function of the context.
      treatment('high', (ctx) => ctx.add('dose', 3)),
    ])
    .hypotheses([doseHelps])
    .replicates(10)
    .plugins([artifactPluginUnder(dir)])
    .cache(cacheStoreUnder(dir))
    .build();
}

export interface TreatmentsSummary {
  readonly baseline: readonly unknown[];
  readonly tests: Record<
    string,
    { p_value: number; p_value_adjusted: number; significant_adjusted: boolean; mean_diff: number }
  >;
  readonly best: string | undefined;
  readonly ranked: readonly (readonly [string, number])[];
  readonly dir: string | undefined;
}

export async function main(dir = tempDir('treatments')): Promise<TreatmentsSummary> {
  const exp = buildExperiment(dir);
  exp.validate();
  const result = await exp.run();
  const h = result.getHypothesis('dose-helps');
  if (!h) throw new Error('hypothesis dose-helps missing from the result');
  const tests = Object.fromEntries(
    Object.entries(h.results).map(([name, r]) => {
      const t = r as TreatmentsSummary['tests'][string];
      return [
        name,
        {
          p_value: t.p_value,
          p_value_adjusted: t.p_value_adjusted,
          significant_adjusted: t.significant_adjusted,
          mean_diff: t.mean_diff,
        },
      ];
    }),
  );
  return {
    baseline: result.metrics.baseline.metrics['response'] ?? [],
    tests,
    best: h.ranking.best,
    ranked: h.ranking.ranked,
    dir: result.dir,
  };
}

if (isEntryPoint(import.meta.url))
  console.dir(await main(exampleDir('treatments-hypotheses')), { depth: null });
