/**
 * @crystallize/stats — statistical verifiers for hypotheses: t-tests, Mann–Whitney U,
 * permutation and bootstrap tests, effect sizes and multiple-comparison corrections. Every test
 * compares treatment against baseline (SciPy's order: `test(treatment, baseline)`) and is checked
 * against SciPy fixtures to a relative error of 1e-9.
 */
export type { Alternative } from './verifier-params.js';
export type { TestResult, EffectSizeFields, IntervalFields } from './test-result.js';
export type { PerMetric } from './metric-pairs.js';

export { welchTTest, type TTestParams } from './welch-t-test.js';
export { studentTTest } from './student-t-test.js';
export { pairedTTest, pairedT } from './paired-t-test.js';
export { twoSampleTTest, type TTestResult, type TTestOptions } from './two-sample-t.js';
export {
  mannWhitneyU,
  mannWhitneyUTest,
  type MannWhitneyMethod,
  type MannWhitneyOptions,
  type MannWhitneyParams,
  type MannWhitneyResult,
} from './mann-whitney-u.js';
export {
  permutationTest,
  permutationMeanTest,
  type PermutationOptions,
  type PermutationParams,
  type PermutationResult,
} from './permutation-test.js';
export { DEFAULT_RESAMPLING_SEED } from './resampling-verifier.js';
export {
  bootstrapCI,
  bootstrapMeanDiff,
  type BootstrapOptions,
  type BootstrapParams,
  type BootstrapResult,
} from './bootstrap-ci.js';
export { cohensD, cohensDEffect, type EffectSizeResult } from './cohens-d.js';
export { hedgesG, hedgesGEffect, hedgesCorrection } from './hedges-g.js';
export { cliffsDelta, type CliffsDeltaResult } from './cliffs-delta.js';
export { meanDiff, type MeanDiffParams, type MeanDiffResult } from './mean-diff.js';
export {
  adjustPValues,
  pValueAdjustment,
  type AdjustmentMethod,
  type PValueAdjustment,
} from './p-value-adjustment.js';
