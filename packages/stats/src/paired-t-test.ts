import { verifier, type VerifierFactory } from '@crystallize/core';
import { checkCommonParams } from './verifier-params.js';
import { tInterval, tPValue } from './distributions.js';
import { metricPairs, perMetric } from './metric-pairs.js';
import { mean, variance } from './moments.js';
import type { TTestOptions, TTestResult } from './two-sample-t.js';
import type { TTestParams } from './welch-t-test.js';

/**
 * Paired t-test on `treatment[i] - baseline[i]`, as SciPy's `ttest_rel(treatment, baseline)`.
 * Identical differences give SciPy's result: t ±Infinity and p 0, or NaN when they are all 0.
 */
export function pairedT(
  treatment: readonly number[],
  baseline: readonly number[],
  { alternative = 'two-sided', alpha = 0.05 }: TTestOptions = {},
): TTestResult {
  const n = treatment.length;
  const d = treatment.map((t, i) => t - (baseline[i] as number));
  const diff = mean(d);
  const sd = Math.sqrt(variance(d));
  const se = sd / Math.sqrt(n);
  const df = n - 1;
  const t = diff / se;
  const p = tPValue(t, df, alternative);
  const [ciLow, ciHigh] = tInterval(diff, se, df, 1 - alpha, alternative);
  return {
    test: 'paired_t_test',
    statistic: t,
    p_value: p,
    significant: p < alpha,
    alpha,
    alternative,
    n_baseline: n,
    n_treatment: n,
    df,
    mean_baseline: mean(baseline),
    mean_treatment: mean(treatment),
    mean_diff: diff,
    std_error: se,
    ci_low: ciLow,
    ci_high: ciHigh,
    confidence: 1 - alpha,
    effect_size: diff / sd,
    effect_size_name: 'cohens_dz',
  };
}

/**
 * Paired t-test: replicate `i` of the treatment is compared with replicate `i` of the baseline.
 * Crystallize seeds baseline and treatments of one replicate alike (common random numbers), so
 * pairing removes the replicate-to-replicate noise and usually needs far fewer replicates than
 * {@link welchTTest}. Output as {@link welchTTest}, with Cohen's d_z (mean difference over the
 * SD of differences) as `effect_size`. Baseline and treatment must have equal lengths.
 *
 * @example
 * hypothesis({ verifier: pairedTTest(), metrics: 'latency' }, (r) => r.p_value)
 */
export const pairedTTest: VerifierFactory<TTestParams, TTestResult> = verifier(
  (baseline, treatment, params) => {
    checkCommonParams('pairedTTest', params);
    return perMetric(metricPairs('pairedTTest', baseline, treatment, { paired: true }), (m) =>
      pairedT(m.treatment, m.baseline, params),
    );
  },
  { alpha: 0.05, alternative: 'two-sided' } as TTestParams,
  { name: 'pairedTTest' },
);
