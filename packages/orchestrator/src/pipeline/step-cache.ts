import type { MetricRecord } from '@crystallize/core';

/** What a cacheable step's call left behind; a hit restores all of it. */
export interface CachedStepOutput {
  readonly output: unknown;
  readonly metrics: readonly MetricRecord[];
  readonly artifacts: readonly { readonly name: string; readonly data: unknown }[];
  /** Context keys the step added, with their values. */
  readonly wrote: Readonly<Record<string, unknown>>;
}

/** The store the pipeline runner memoises cacheable steps in (see `@crystallize/cache`). */
export interface StepOutputCache {
  get(
    stepKey: string,
    inputKey: string,
  ): CachedStepOutput | undefined | Promise<CachedStepOutput | undefined>;
  set(stepKey: string, inputKey: string, entry: CachedStepOutput): void | Promise<void>;
}
