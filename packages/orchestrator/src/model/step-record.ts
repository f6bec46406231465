import type { MetricRecord } from '@crystallize/core';

/** What one step did in one replicate of one condition: the unit of provenance. */
export interface StepRecord {
  readonly step: string;
  /** The parameter values the call used (resources stand as `{ resource: key }`). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Hash of step class, version, code fingerprint and the resolved params: the cache folder. */
  readonly stepHash: string;
  readonly inputHash: string;
  readonly outputHash: string;
  readonly cacheHit: boolean;
  /** Wall time of the call in milliseconds (verbose runs only). */
  readonly durationMs?: number;
  readonly ctxChanges: {
    /** Context keys the step read (recorded in verbose mode only). */
    readonly reads: readonly string[];
    readonly wrote: Readonly<Record<string, unknown>>;
    readonly metrics: readonly MetricRecord[];
  };
}
