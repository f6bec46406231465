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
