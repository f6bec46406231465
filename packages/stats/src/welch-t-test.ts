import { verifier, type VerifierFactory } from '@crystallize/core';
import { checkCommonParams, type Alternative } from './verifier-params.js';
import { metricPairs, perMetric } from './metric-pairs.js';
import { twoSampleTTest, type TTestResult } from './two-sample-t.js';

// A type alias (not an interface) so it satisfies core's `VerifierParams` index signature while
// keeping misspelt options a compile-time error.
export type TTestParams = {
  /** Significance level; `significant` is `p_value < alpha` and the CI level is `1 - alpha`. */
  alpha: number;
  alternative: Alternative;
};

/**
 * Welch's unequal-variance t-test of treatment against baseline (SciPy's
 * `ttest_ind(treatment, baseline, equal_var=False)`): the default choice for comparing means.
 * Reports `statistic` (t, treatment minus baseline), `p_value`, `significant`, `df`,
 * `mean_diff` with its t-based interval (`ci_low`, `ci_high`) and Cohen's d as `effect_size`.
 *
 * @example
 * hypothesis({ verifier: welchTTest({ alternative: 'greater' }), metrics: 'accuracy' }, (r) => r.p_value)
 */
export const welchTTest: VerifierFactory<TTestParams, TTestResult> = verifier(
  (baseline, treatment, params) => {
    checkCommonParams('welchTTest', params);
    return perMetric(metricPairs('welchTTest', baseline, treatment), (m) =>
      twoSampleTTest(m.treatment, m.baseline, false, params),
    );
  },
  { alpha: 0.05, alternative: 'two-sided' } as TTestParams,
  { name: 'welchTTest' },
);
