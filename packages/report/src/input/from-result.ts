import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Result } from '@crystallize/orchestrator';
import { orderConditions, parseErrorKey, type HypothesisData, type RunData } from './run-data.js';
import { fromStoredJson } from '@crystallize/orchestrator/internal';
import { STEP_TIMINGS_FILE, StepUsageCounter, type StepTimings } from './step-usage.js';

/** A report's view of a live `Result` (stored files beside it are read when `result.dir` is set). */
export function runDataFromResult(result: Result, timings?: StepTimings): RunData {
  const conditions = orderConditions([
    'baseline',
    ...Object.keys(result.metrics.treatments),
    ...Object.keys(result.provenance.seeds),
  ]);
  const metrics: Record<string, Record<string, readonly unknown[]>> = {};
  for (const c of conditions) metrics[c] = result.conditionMetrics(c) ?? {};
  const counter = new StepUsageCounter();
  for (const c of conditions) {
    const reps = result.provenance.ctxChanges[c] ?? {};
    for (const key of Object.keys(reps)) {
      for (const r of reps[Number(key)] ?? []) {
        counter.add(r.step, r.cacheHit, (r as { durationMs?: unknown }).durationMs);
      }
    }
  }
  const dir = result.dir;
  const stored = dir ? readJson(join(dir, 'metadata.json')) : undefined;
  const storedTimings = dir ? (readJson(join(dir, STEP_TIMINGS_FILE)) as StepTimings) : undefined;
  const version = dir ? /^v(\d+)$/.exec(basename(dir))?.[1] : undefined;
  return {
    experiment: result.experiment,
    version: version === undefined ? undefined : Number(version),
    date: typeof stored?.['completedAt'] === 'string' ? stored['completedAt'] : undefined,
    description: typeof stored?.['description'] === 'string' ? stored['description'] : undefined,
    ok:
      typeof (result as { ok?: unknown }).ok === 'boolean'
        ? (result as { ok: boolean }).ok
        : undefined,
    unusedTreatmentKeys: unusedKeys(result),
    dir,
    replicates: result.provenance.replicates,
    conditions,
    metrics,
    seeds: result.provenance.seeds,
    fingerprints: result.fingerprints,
    pipelineSignature: result.provenance.pipelineSignature || undefined,
    pipeline: stored?.['pipeline'],
    hypotheses: result.metrics.hypotheses.map((h): HypothesisData => ({
      name: h.name,
      results: h.results,
      ranking: h.ranking,
      errors: h.errors,
    })),
    errors: Object.entries(result.errors).map(([key, e]) => {
      const where = parseErrorKey(key);
      const step = (e as { stepName?: unknown }).stepName;
      return {
        key,
        ...where,
        step: typeof step === 'string' ? step : undefined,
        name: e.name,
        message: e.message,
      };
    }),
    steps: counter.result(timings ?? storedTimings),
    reused: Array.isArray(stored?.['reused']) ? (stored['reused'] as string[]) : [],
  };
}

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return fromStoredJson<Record<string, unknown>>(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** `result.unusedTreatmentKeys` (orchestrators that report them), read by shape. */
function unusedKeys(result: Result): RunData['unusedTreatmentKeys'] {
  const keys = (result as { unusedTreatmentKeys?: unknown }).unusedTreatmentKeys;
  if (!Array.isArray(keys)) return [];
  return keys.map((k: { treatment?: unknown; key?: unknown; suggestion?: unknown }) => ({
    treatment: String(k.treatment),
    key: String(k.key),
    suggestion: typeof k.suggestion === 'string' ? k.suggestion : undefined,
  }));
}
