import { ValidationError, type Treatment } from '@crystallize/core';
import type { ExperimentModel } from '../model/experiment-model.js';

/** What an optimizer minimises or maximises: the mean of one metric over a trial's replicates. */
export interface Objective {
  readonly metric: string;
  readonly direction: 'minimize' | 'maximize';
}

/**
 * Ask/tell optimizer driven by `Experiment.optimize`: `ask()` proposes treatments for one trial,
 * `tell()` receives the objective value of each (same order), `getBestTreatment()` answers.
 */
export abstract class BaseOptimizer {
  constructor(readonly objective: Objective) {}
  abstract ask(): Treatment[];
  abstract tell(objectiveValues: readonly number[]): void;
  abstract getBestTreatment(): Treatment;
}

function mean(values: readonly unknown[]): number {
  const nums = values.filter((v): v is number => typeof v === 'number');
  return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : NaN;
}

export async function optimize(
  experiment: ExperimentModel,
  optimizer: BaseOptimizer,
  trials: number,
  replicatesPerTrial: number,
): Promise<Treatment> {
  if (!Number.isInteger(trials) || trials < 1)
    throw new ValidationError(`optimize: trials must be an integer >= 1, got ${trials}`);
  const metric = optimizer.objective.metric;
  for (let trial = 0; trial < trials; trial++) {
    const treatments = optimizer.ask();
    const result = await experiment.run({
      treatments,
      hypotheses: [],
      replicates: replicatesPerTrial,
    });
    optimizer.tell(
      treatments.map((t) => {
        const values = result.metrics.treatments[t.name]?.metrics[metric];
        if (!values)
          throw new ValidationError(
            `optimize: trial ${trial} treatment '${t.name}' recorded no metric '${metric}'`,
          );
        return mean(values);
      }),
    );
  }
  return optimizer.getBestTreatment();
}
