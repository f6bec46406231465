import { CacheStore } from '@crystallize/cache';
import type { StepOutputCache } from './step-cache.js';

/**
 * The store cacheable steps use when an experiment names none: `@crystallize/cache`'s
 * msgpackr store under `CRYSTALLIZE_CACHE_DIR` (default `.cache`), read at construction.
 */
export function defaultStepCache(): StepOutputCache {
  return new CacheStore();
}
