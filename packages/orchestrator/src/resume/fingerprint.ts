import {
  codeFingerprint,
  hashValue,
  toDataSource,
  type DataSource,
  type Treatment,
} from '@crystallize/core';
import type { Pipeline } from '../pipeline/pipeline.js';

export interface ConditionFingerprint {
  readonly hash: string;
  readonly parts: Readonly<Record<string, string>>;
}

function safeHash(value: unknown): string {
  try {
    return hashValue(value);
  } catch {
    return 'unhashable';
  }
}

function datasourceCode(ds: DataSource): string {
  const fn = (ds as { fn?: unknown }).fn;
  return typeof fn === 'function'
    ? codeFingerprint(fn as (...a: never[]) => unknown)
    : codeFingerprint(ds.constructor as abstract new (...a: never[]) => unknown);
}

/**
 * Everything that decides a condition's results, hashed part by part so that resume can say
 * which part changed: pipeline code and params, data source code, the treatment's definition,
 * initial context, replicate count and master seed.
 */
export function conditionFingerprint(input: {
  readonly pipeline: Pipeline;
  readonly datasource: DataSource;
  readonly treatment: Treatment | undefined;
  readonly baselineTreatment: Treatment | undefined;
  readonly initialCtx: Readonly<Record<string, unknown>>;
  readonly replicates: number;
  readonly seed: number;
}): ConditionFingerprint {
  const parts = {
    pipeline: input.pipeline.signature(),
    datasource: datasourceCode(toDataSource(input.datasource)),
    treatment: safeHash(input.treatment?.definition ?? input.baselineTreatment?.definition ?? null),
    initialCtx: safeHash(input.initialCtx),
    replicates: String(input.replicates),
    seed: String(input.seed),
  };
  return { hash: hashValue(parts), parts };
}

/** Names the parts that differ, for the log line that says why a condition reruns. */
export function describeMismatch(
  stored: Readonly<Record<string, string>> | undefined,
  current: Readonly<Record<string, string>>,
): string {
  if (!stored) return 'stored results have no fingerprint';
  const changed = Object.keys(current).filter((k) => stored[k] !== current[k]);
  const labels: Record<string, string> = {
    pipeline: 'pipeline code or parameters changed',
    datasource: 'data source code changed',
    treatment: 'treatment definition changed',
    initialCtx: 'initial context changed',
    replicates: `replicate count changed (${stored['replicates']} -> ${current['replicates']})`,
    seed: `seed changed (${stored['seed']} -> ${current['seed']})`,
  };
  return changed.map((k) => labels[k] ?? `${k} changed`).join('; ') || 'fingerprint changed';
}
