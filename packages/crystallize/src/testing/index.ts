/**
 * `crystallize/testing`: what a jest test of a step or an experiment needs — one-call runs in a
 * temporary, auto-cleaned root with quiet logs and a fixed seed, and the matchers
 * `toBeSignificant` / `toHaveNoErrors`, registered with jest's global `expect` on import.
 *
 * @example
 * import { runExperiment, runStep } from 'crystallize/testing';
 *
 * it('finds the effect', async () => {
 *   const result = await runExperiment(exp);
 *   expect(result).toHaveNoErrors();
 *   expect(result).toBeSignificant('sum_grows', 'double');
 * });
 */
import { registerMatchers } from './matchers.js';

export { createTempRoot, useTempRoot, type TempRoot } from './temp-root.js';
export { runStep, type RunStepOptions, type StepRun, type TestableStep } from './run-step.js';
export { runExperiment, type RunExperimentOptions } from './run-experiment.js';
export {
  crystallizeMatchers,
  registerMatchers,
  toBeSignificant,
  toHaveNoErrors,
  type MatcherResult,
  type SignificanceOptions,
} from './matchers.js';

// One import registers the matchers where jest (or another runner with a global expect) runs.
registerMatchers();
