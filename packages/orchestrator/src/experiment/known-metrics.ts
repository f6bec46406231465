import { runStoreOf, type ExperimentModel } from '../model/experiment-model.js';
import { readConditionSummary } from '../storage/stored-condition.js';
import { readRunMetadata } from '../storage/stored-run.js';

/** Where the recorded metric names came from, and the names. */
export interface KnownMetrics {
  readonly source: string;
  readonly names: ReadonlySet<string>;
}

/**
 * The metric names this experiment records, when knowable before running: those of its newest
 * stored run, if that run used the same pipeline (same signature) and recorded any metric.
 * Undefined otherwise — the check then happens at the end of the run.
 */
export function knownMetrics(exp: ExperimentModel): KnownMetrics | undefined {
  const dir = runStoreOf(exp)?.latestDir(exp);
  if (!dir) return undefined;
  try {
    const meta = readRunMetadata(dir);
    if (!meta || meta.pipelineSignature !== exp.pipeline.signature()) return undefined;
    const names = new Set<string>();
    for (const c of meta.conditions ?? []) {
      const stored = readConditionSummary(dir, c);
      for (const [name, values] of Object.entries(stored?.metrics ?? {}))
        if (values.length > 0) names.add(name);
    }
    return names.size ? { source: dir, names } : undefined;
  } catch {
    return undefined; // an unreadable or foreign folder tells us nothing
  }
}
