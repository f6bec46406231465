import { BASELINE_CONDITION, ValidationError, type Treatment } from '@crystallize/core';
import type { ExperimentModel } from '../model/experiment-model.js';
import { SerialExecution } from '../execution/serial.execution.js';
import type { Result } from '../results/result.js';
import { runExperiment } from './run-experiment.js';

/** The treatment `debug(name)` means: one of the experiment's own, or none for `'baseline'`. */
function treatmentNamed(experiment: ExperimentModel, name: string): Treatment | undefined {
  const found = experiment.treatments.find((t) => t.name === name);
  if (found) return found;
  if (name === BASELINE_CONDITION) return undefined; // the baseline alone
  const names = experiment.treatments.map((t) => `'${t.name}'`);
  throw new ValidationError(
    `Experiment '${experiment.name}' has no treatment '${name}' (debug). Its treatments: ${
      names.length ? names.join(', ') : '(none)'
    }. Pass one of them, or a Treatment object.`,
  );
}

/** `exp.debug()`: one replicate, serially, with verbose provenance and debug logs; stores nothing. */
export async function debugRun(
  experiment: ExperimentModel,
  treatment: Treatment | string | undefined,
): Promise<Result> {
  const t = typeof treatment === 'string' ? treatmentNamed(experiment, treatment) : treatment;
  const plan = experiment.plan(
    { replicates: 1, treatments: t ? [t] : [], hypotheses: [] },
    { verbose: true, store: false, execution: new SerialExecution() },
  );
  return runExperiment(experiment, plan);
}
