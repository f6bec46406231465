import type { VerifierFactory } from '@crystallize/core';
import type { CommonParams } from './verifier-params.js';
import { perMetricVerifier } from './per-metric-verifier.js';
import {
  restate,
  type EffectSizeFields,
  type IntervalFields,
  type TestResult,
} from './test-result.js';
import { twoSampleTTest } from './two-sample-t.js';

export interface MeanDiffResult extends TestResult, EffectSizeFields, IntervalFields {
  readonly df: number;
  readonly std_error: number;
}

export type MeanDiffParams = CommonParams & {
  /** Pool the variances (Student) instead of Welch–Satterthwaite. Default false. */
  equalVar: boolean;
};

/** {@link MeanDiffParams}, each optional (the defaults of {@link meanDiff} fill the gaps). */
export type MeanDiffOptions = Partial<MeanDiffParams>;

/**
 * The mean difference of two plain arrays with its t-based interval; the computation behind the
 * {@link meanDiff} verifier.
 */
export function computeMeanDiff(
  treatment: readonly number[],
  baseline: readonly number[],
  options: MeanDiffOptions = {},
): MeanDiffResult {
  const t = twoSampleTTest(treatment, baseline, options.equalVar === true, options);
  return {
    ...restate(t, 'mean_diff', t.mean_diff),
    df: t.df,
    std_error: t.std_error,
    ci_low: t.ci_low,
    ci_high: t.ci_high,
    confidence: t.confidence,
    effect_size: t.mean_diff,
    effect_size_name: 'mean_diff',
  };
}

/**
 * The raw mean difference (treatment minus baseline) with its t-based confidence interval at
 * level `1 - alpha` — the effect in the metric's own units. `p_value` is Welch's (Student's with
 * `equalVar: true`), so `significant` is exactly "the interval excludes 0".
 *
 * @example
 * hypothesis({ verifier: meanDiff({ alpha: 0.1 }), metrics: 'revenue' }, (r) => -r.ci_low)
 */
export const meanDiff: VerifierFactory<MeanDiffParams, MeanDiffResult> = perMetricVerifier(
  'meanDiff',
  computeMeanDiff,
  { alpha: 0.05, alternative: 'two-sided', equalVar: false } as MeanDiffParams,
);
