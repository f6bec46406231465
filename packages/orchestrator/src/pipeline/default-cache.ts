import type { StepOutputCache } from './step-cache.js';

/** The store cacheable steps use when an experiment names none. */
export function defaultStepCache(): StepOutputCache | undefined {
  return undefined;
}
