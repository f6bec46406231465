/**
 * @crystallize/stats — statistical verifiers for hypotheses: t-tests, Mann–Whitney U,
 * permutation and bootstrap tests, effect sizes and multiple-comparison corrections. Every test
 * compares treatment against baseline (SciPy's order: `test(treatment, baseline)`) and is checked
 * against SciPy fixtures to a relative error of 1e-9.
 *
 * Naming rule (README "Names"): a verifier factory is named for what it reports — a hypothesis
 * test ends in `Test` (`welchTTest`, `mannWhitneyUTest`), an estimate is named for the quantity
 * (`bootstrapCI`, `cohensD`) — and the function that computes the same result on two plain
 * arrays is `compute` + that name (`computeWelchTTest(treatment, baseline, options)`).
 */
export type { Alternative } from './verifier-params.js';
export type { TestResult, EffectSizeFields, IntervalFields } from './test-result.js';
export type { PerMetric } from './metric-pairs.js';

export { welchTTest, computeWelchTTest, type TTestParams } from './welch-t-test.js';
export { studentTTest, computeStudentTTest } from './student-t-test.js';
export { pairedTTest, computePairedTTest } from './paired-t-test.js';
export type { TTestResult, TTestOptions } from './two-sample-t.js';
export {
  mannWhitneyUTest,
  computeMannWhitneyUTest,
  type MannWhitneyMethod,
  type MannWhitneyOptions,
  type MannWhitneyParams,
  type MannWhitneyResult,
} from './mann-whitney-u.js';
export {
  permutationTest,
  computePermutationTest,
  type PermutationOptions,
  type PermutationParams,
  type PermutationResult,
} from './permutation-test.js';
export { DEFAULT_RESAMPLING_SEED } from './resampling-verifier.js';
export {
  bootstrapCI,
  computeBootstrapCI,
  type BootstrapOptions,
  type BootstrapParams,
  type BootstrapResult,
} from './bootstrap-ci.js';
export { cohensD, computeCohensD, type EffectSizeResult } from './cohens-d.js';
export { hedgesG, computeHedgesG, hedgesCorrection } from './hedges-g.js';
export { cliffsDelta, computeCliffsDelta, type CliffsDeltaResult } from './cliffs-delta.js';
export {
  meanDiff,
  computeMeanDiff,
  type MeanDiffOptions,
  type MeanDiffParams,
  type MeanDiffResult,
} from './mean-diff.js';
export {
  adjustPValues,
  pValueAdjustment,
  type AdjustmentMethod,
  type PValueAdjustment,
} from './p-value-adjustment.js';
