import type { MetricRecord } from '@crystallize/core';

/** What one step did in one replicate of one condition: the unit of provenance. */
export interface StepRecord {
  readonly step: string;
  /** The parameter values the call used (resources stand as `{ resource: key }`). */
  readonly params: Readonly<Record<string, unknown>>;
  /**
   * The cache key of this call: a hash of the step's identity (`Step.stepHash`: class, version,
   * code, explicit params) and the params as resolved from the context — the cache folder
   * `<cache dir>/<cacheKey>/`. (Files written before it was renamed call it `stepHash`.)
   */
  readonly cacheKey: string;
  readonly inputHash: string;
  readonly outputHash: string;
  readonly cacheHit: boolean;
  /**
   * Wall time of the call in milliseconds (`performance.now()` around it: parameters, cache
   * lookup or the step, cache write; cache hits included), recorded by the runner on every
   * backend. Measured, not derived: it is part of no hash, fingerprint or cache key, and two runs
   * of the same seed differ in it. Absent in records stored before runs recorded it.
   */
  readonly durationMs?: number;
  readonly ctxChanges: {
    /** Context keys the step read (recorded in verbose mode only). */
    readonly reads: readonly string[];
    readonly wrote: Readonly<Record<string, unknown>>;
    readonly metrics: readonly MetricRecord[];
  };
}

/** A step record as stored by any version: older files call `cacheKey` `stepHash`. */
export function readStepRecord(
  raw: StepRecord | (Omit<StepRecord, 'cacheKey'> & { stepHash: string }),
): StepRecord {
  if ('cacheKey' in raw) return raw;
  const { stepHash, ...rest } = raw;
  return { ...rest, cacheKey: stepHash };
}
