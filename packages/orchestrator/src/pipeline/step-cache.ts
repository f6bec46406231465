import type { CacheEntry, CacheWriteErrorPolicy } from '@crystallize/cache';

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
  /**
   * A write that fails with `CacheWriteError`: run uncached with one warning for the run
   * (`'warn'`, the default) or fail the step (`'fail'`). `CacheStore({ onWriteError })` sets it.
   */
  readonly onWriteError?: CacheWriteErrorPolicy;
}

const writeFailures = new WeakMap<object, string>();

/** Records (once per replicate context) that a cache write failed and the step ran uncached. */
export function recordCacheWriteFailure(ctx: object, message: string): void {
  if (!writeFailures.has(ctx)) writeFailures.set(ctx, message);
}

/** The cache write failure recorded for `ctx`, if any (and forgets it). */
export function takeCacheWriteFailure(ctx: object): string | undefined {
  const message = writeFailures.get(ctx);
  writeFailures.delete(ctx);
  return message;
}
