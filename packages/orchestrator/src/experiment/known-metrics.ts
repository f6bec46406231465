import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METADATA_FILE, resultsPath } from '../storage/run-layout.js';
import { runStoreOf, type ExperimentModel } from '../model/experiment-model.js';

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
  if (!dir || !existsSync(join(dir, METADATA_FILE))) return undefined;
  try {
    const meta = JSON.parse(readFileSync(join(dir, METADATA_FILE), 'utf8')) as {
      pipelineSignature?: string;
      conditions?: string[];
    };
    if (meta.pipelineSignature !== exp.pipeline.signature()) return undefined;
    const names = new Set<string>();
    for (const c of meta.conditions ?? []) {
      const file = resultsPath(dir, c);
      if (!existsSync(file)) continue;
      const stored = JSON.parse(readFileSync(file, 'utf8')) as {
        metrics?: Record<string, unknown[]>;
      };
      for (const [name, values] of Object.entries(stored.metrics ?? {}))
        if (values.length > 0) names.add(name);
    }
    return names.size ? { source: dir, names } : undefined;
  } catch {
    return undefined; // an unreadable or foreign folder tells us nothing
  }
}
