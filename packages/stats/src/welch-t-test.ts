import type { VerifierFactory } from '@crystallize/core';
import type { CommonParams } from './verifier-params.js';
import { perMetricVerifier } from './per-metric-verifier.js';
import { twoSampleTTest, type TTestOptions, type TTestResult } from './two-sample-t.js';

export type TTestParams = CommonParams;

/** Defaults of the t-test verifiers and of the effect sizes that take their p-value from one. */
export const T_TEST_DEFAULTS: Readonly<TTestParams> = { alpha: 0.05, alternative: 'two-sided' };

/**
 * Welch's t-test on two plain arrays, as SciPy's `ttest_ind(treatment, baseline,
 * equal_var=False)`; the computation behind the {@link welchTTest} verifier.
 */
export function computeWelchTTest(
  treatment: readonly number[],
  baseline: readonly number[],
  options: TTestOptions = {},
): TTestResult {
  return twoSampleTTest(treatment, baseline, false, options);
}

/**
 * Welch's unequal-variance t-test of treatment against baseline (SciPy's
 * `ttest_ind(treatment, baseline, equal_var=False)`): the default choice for comparing means.
 * Reports `statistic` (t, treatment minus baseline), `p_value`, `significant`, `df`,
 * `mean_diff` with its t-based interval (`ci_low`, `ci_high`) and Cohen's d as `effect_size`.
 *
 * @example
 * hypothesis({ verifier: welchTTest({ alternative: 'greater' }), metrics: 'accuracy' }, (r) => r.p_value)
 */
export const welchTTest: VerifierFactory<TTestParams, TTestResult> = perMetricVerifier(
  'welchTTest',
  computeWelchTTest,
  T_TEST_DEFAULTS,
);
