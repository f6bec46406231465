import type { Alternative } from './verifier-params.js';

/** Fields every stats verifier reports for one metric. Snake case, as stored in results.json. */
export interface TestResult {
  /** Which test produced it, e.g. `'welch_t_test'`. */
  readonly test: string;
  readonly statistic: number;
  readonly p_value: number;
  /** `p_value < alpha`; false when the p-value is NaN. */
  readonly significant: boolean;
  readonly alpha: number;
  readonly alternative: Alternative;
  readonly n_baseline: number;
  readonly n_treatment: number;
}

/** A result that names an effect size (Cohen's d, Hedges' g, Cliff's delta, ...). */
export interface EffectSizeFields {
  readonly effect_size: number;
  readonly effect_size_name: 'cohens_d' | 'hedges_g' | 'cohens_dz' | 'cliffs_delta' | 'mean_diff';
}

/** A two-sided (or, for one-sided alternatives, one-sided) interval at level `confidence`. */
export interface IntervalFields {
  readonly ci_low: number;
  readonly ci_high: number;
  /** `1 - alpha`. */
  readonly confidence: number;
}

/** What a test computed, before {@link testResult} adds the fields derived from its options. */
export interface TestOutcome {
  readonly statistic: number;
  readonly p_value: number;
  readonly n_baseline: number;
  readonly n_treatment: number;
}

/**
 * The {@link TestResult} fields of a test named `test`, with `significant` decided the one way
 * every test decides it: `p_value < alpha` (so a NaN p-value is never significant).
 */
export function testResult(
  test: string,
  { statistic, p_value, n_baseline, n_treatment }: TestOutcome,
  { alpha, alternative }: { readonly alpha: number; readonly alternative: Alternative },
): TestResult {
  return {
    test,
    statistic,
    p_value,
    significant: p_value < alpha,
    alpha,
    alternative,
    n_baseline,
    n_treatment,
  };
}

/**
 * `base`'s evidence (p-value, significance, alpha, sizes) reported under another test name and
 * statistic: an effect size whose p-value comes from the test it is derived from.
 */
export function restate(base: TestResult, test: string, statistic: number): TestResult {
  return {
    test,
    statistic,
    p_value: base.p_value,
    significant: base.significant,
    alpha: base.alpha,
    alternative: base.alternative,
    n_baseline: base.n_baseline,
    n_treatment: base.n_treatment,
  };
}
