import type { ExperimentModel } from '../model/experiment-model.js';
import { runStoreOf } from '../model/experiment-model.js';
import { readCompletedCondition, type StoredCondition } from '../storage/stored-condition.js';
import { describeMismatch, type ConditionFingerprint } from './fingerprint.js';

/** What resume can take from the newest stored run, and why the rest runs again. */
export interface Reusable {
  /** Conditions whose stored results are complete and match the current fingerprint. */
  readonly reused: ReadonlyMap<string, StoredCondition>;
  /** Why each other condition reruns (for the run log). */
  readonly rerunReasons: ReadonlyMap<string, string>;
}

/**
 * The one place that decides what `resume` reuses: a condition of the experiment's newest stored
 * run that completed and whose fingerprint equals the current one. `Experiment.run` and
 * `ExperimentGraph` (deciding whether a node would run at all) both ask here.
 */
export function reusableConditions(
  experiment: Pick<ExperimentModel, 'name' | 'plugins'>,
  conditions: readonly string[],
  fingerprints: Readonly<Record<string, ConditionFingerprint>>,
): Reusable {
  const reused = new Map<string, StoredCondition>();
  const rerunReasons = new Map<string, string>();
  const dir = runStoreOf(experiment)?.latestDir(experiment);
  if (!dir) return { reused, rerunReasons };
  for (const c of conditions) {
    const stored = readCompletedCondition(dir, c);
    const current = fingerprints[c];
    if (!current) continue;
    if (!stored) rerunReasons.set(c, 'no completed results stored');
    else if (stored.fingerprint === current.hash) reused.set(c, stored);
    else rerunReasons.set(c, describeMismatch(stored.fingerprintParts, current.parts));
  }
  return { reused, rerunReasons };
}

/** Whether resume would reuse every condition (nothing left to run). */
export function everyConditionReusable(
  experiment: Pick<ExperimentModel, 'name' | 'plugins'>,
  fingerprints: Readonly<Record<string, ConditionFingerprint>>,
): boolean {
  const conditions = Object.keys(fingerprints);
  return reusableConditions(experiment, conditions, fingerprints).reused.size === conditions.length;
}
