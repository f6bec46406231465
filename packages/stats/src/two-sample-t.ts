import type { Alternative } from './verifier-params.js';
import { tInterval, tPValue } from './distributions.js';
import { mean, variance } from './moments.js';
import {
  testResult,
  type EffectSizeFields,
  type IntervalFields,
  type TestResult,
} from './test-result.js';

export interface TTestResult extends TestResult, EffectSizeFields, IntervalFields {
  /** Degrees of freedom (Welch–Satterthwaite for Welch's test). */
  readonly df: number;
  readonly mean_baseline: number;
  readonly mean_treatment: number;
  /** `mean(treatment) - mean(baseline)`; the confidence interval is around it. */
  readonly mean_diff: number;
  /** Standard error of `mean_diff` (the t statistic's denominator). */
  readonly std_error: number;
}

export interface TTestOptions {
  readonly alternative?: Alternative;
  readonly alpha?: number;
}

/**
 * Two-sample t-test of `treatment` against `baseline`, as SciPy's
 * `ttest_ind(treatment, baseline, equal_var)`. Zero variance in both samples gives SciPy's
 * result: `statistic` ±Infinity and `p_value` 0 when the means differ, NaN when they are equal.
 */
export function twoSampleTTest(
  treatment: readonly number[],
  baseline: readonly number[],
  equalVar: boolean,
  { alternative = 'two-sided', alpha = 0.05 }: TTestOptions = {},
): TTestResult {
  const n1 = treatment.length;
  const n2 = baseline.length;
  const m1 = mean(treatment);
  const m2 = mean(baseline);
  const v1 = variance(treatment);
  const v2 = variance(baseline);
  let df: number;
  let se: number;
  if (equalVar) {
    df = n1 + n2 - 2;
    se = Math.sqrt((((n1 - 1) * v1 + (n2 - 1) * v2) / df) * (1 / n1 + 1 / n2));
  } else {
    const vn1 = v1 / n1;
    const vn2 = v2 / n2;
    df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1));
    // Both variances zero: df is undefined and irrelevant (t is infinite or NaN); SciPy uses 1.
    if (Number.isNaN(df)) df = 1;
    se = Math.sqrt(vn1 + vn2);
  }
  const diff = m1 - m2;
  const t = diff / se;
  const p = tPValue(t, df, alternative);
  const [ciLow, ciHigh] = tInterval(diff, se, df, 1 - alpha, alternative);
  const pooledSd = Math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2));
  const outcome = { statistic: t, p_value: p, n_baseline: n2, n_treatment: n1 };
  return {
    ...testResult(equalVar ? 'student_t_test' : 'welch_t_test', outcome, { alpha, alternative }),
    df,
    mean_baseline: m2,
    mean_treatment: m1,
    mean_diff: diff,
    std_error: se,
    ci_low: ciLow,
    ci_high: ciHigh,
    confidence: 1 - alpha,
    effect_size: diff / pooledSd,
    effect_size_name: 'cohens_d',
  };
}
