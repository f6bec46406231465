import type { VerifierFactory } from '@crystallize/core';
import { perMetricVerifier } from './per-metric-verifier.js';
import { twoSampleTTest, type TTestOptions, type TTestResult } from './two-sample-t.js';
import { T_TEST_DEFAULTS, type TTestParams } from './welch-t-test.js';

/**
 * Student's t-test on two plain arrays, as SciPy's `ttest_ind(treatment, baseline)`; the
 * computation behind the {@link studentTTest} verifier.
 */
export function computeStudentTTest(
  treatment: readonly number[],
  baseline: readonly number[],
  options: TTestOptions = {},
): TTestResult {
  return twoSampleTTest(treatment, baseline, true, options);
}

/**
 * Student's equal-variance t-test of treatment against baseline (SciPy's
 * `ttest_ind(treatment, baseline)`). Same output fields as {@link welchTTest}; prefer Welch
 * unless the variances are known to be equal.
 *
 * @example
 * hypothesis({ verifier: studentTTest({ alpha: 0.01 }), metrics: 'loss' })
 */
export const studentTTest: VerifierFactory<TTestParams, TTestResult> = perMetricVerifier(
  'studentTTest',
  computeStudentTTest,
  T_TEST_DEFAULTS,
);
