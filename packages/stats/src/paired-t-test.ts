import type { VerifierFactory } from '@crystallize/core';
import { tInterval, tPValue } from './distributions.js';
import { mean, variance } from './moments.js';
import { perMetricVerifier } from './per-metric-verifier.js';
import { testResult } from './test-result.js';
import type { TTestOptions, TTestResult } from './two-sample-t.js';
import { T_TEST_DEFAULTS, type TTestParams } from './welch-t-test.js';

/**
 * Paired t-test on `treatment[i] - baseline[i]`, as SciPy's `ttest_rel(treatment, baseline)`.
 * Identical differences give SciPy's result: t ±Infinity and p 0, or NaN when they are all 0.
 */
export function computePairedTTest(
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
  const outcome = { statistic: t, p_value: p, n_baseline: n, n_treatment: n };
  return {
    ...testResult('paired_t_test', outcome, { alpha, alternative }),
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
export const pairedTTest: VerifierFactory<TTestParams, TTestResult> = perMetricVerifier(
  'pairedTTest',
  computePairedTTest,
  T_TEST_DEFAULTS,
  { paired: true },
);
