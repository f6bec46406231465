import type { CacheEntry } from '@crystallize/cache';

/** What a cacheable step's call left behind; a hit restores all of it. */
export type CachedStepOutput = CacheEntry;

/**
 * The store the pipeline runner memoises cacheable steps in. `@crystallize/cache`'s
 * `CacheStore` is the default; anything with these two methods works.
 */
export interface StepOutputCache {
  get(
    stepKey: string,
    inputKey: string,
  ): CachedStepOutput | undefined | Promise<CachedStepOutput | undefined>;
  set(stepKey: string, inputKey: string, entry: CachedStepOutput): unknown;
}
