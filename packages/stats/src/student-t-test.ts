import { verifier, type VerifierFactory } from '@crystallize/core';
import { checkCommonParams } from './verifier-params.js';
import { metricPairs, perMetric } from './metric-pairs.js';
import { twoSampleTTest, type TTestResult } from './two-sample-t.js';
import type { TTestParams } from './welch-t-test.js';

/**
 * Student's equal-variance t-test of treatment against baseline (SciPy's
 * `ttest_ind(treatment, baseline)`). Same output fields as {@link welchTTest}; prefer Welch
 * unless the variances are known to be equal.
 *
 * @example
 * hypothesis({ verifier: studentTTest({ alpha: 0.01 }), metrics: 'loss' })
 */
export const studentTTest: VerifierFactory<TTestParams, TTestResult> = verifier(
  (baseline, treatment, params) => {
    checkCommonParams('studentTTest', params);
    return perMetric(metricPairs('studentTTest', baseline, treatment), (m) =>
      twoSampleTTest(m.treatment, m.baseline, true, params),
    );
  },
  { alpha: 0.05, alternative: 'two-sided' } as TTestParams,
  { name: 'studentTTest' },
);
