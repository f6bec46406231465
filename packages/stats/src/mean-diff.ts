import { verifier, type VerifierFactory } from '@crystallize/core';
import { checkCommonParams, type Alternative } from './verifier-params.js';
import { metricPairs, perMetric } from './metric-pairs.js';
import type { EffectSizeFields, IntervalFields, TestResult } from './test-result.js';
import { twoSampleTTest } from './two-sample-t.js';

export interface MeanDiffResult extends TestResult, EffectSizeFields, IntervalFields {
  readonly df: number;
  readonly std_error: number;
}

export type MeanDiffParams = {
  alpha: number;
  alternative: Alternative;
  /** Pool the variances (Student) instead of Welch–Satterthwaite. Default false. */
  equalVar: boolean;
};

/**
 * The raw mean difference (treatment minus baseline) with its t-based confidence interval at
 * level `1 - alpha` — the effect in the metric's own units. `p_value` is Welch's (Student's with
 * `equalVar: true`), so `significant` is exactly "the interval excludes 0".
 *
 * @example
 * hypothesis({ verifier: meanDiff({ alpha: 0.1 }), metrics: 'revenue' }, (r) => -r.ci_low)
 */
export const meanDiff: VerifierFactory<MeanDiffParams, MeanDiffResult> = verifier(
  (baseline, treatment, params) => {
    checkCommonParams('meanDiff', params);
    return perMetric(metricPairs('meanDiff', baseline, treatment), (m) => {
      const t = twoSampleTTest(m.treatment, m.baseline, params.equalVar === true, params);
      return {
        test: 'mean_diff',
        statistic: t.mean_diff,
        p_value: t.p_value,
        significant: t.significant,
        alpha: t.alpha,
        alternative: t.alternative,
        n_baseline: t.n_baseline,
        n_treatment: t.n_treatment,
        df: t.df,
        std_error: t.std_error,
        ci_low: t.ci_low,
        ci_high: t.ci_high,
        confidence: t.confidence,
        effect_size: t.mean_diff,
        effect_size_name: 'mean_diff' as const,
      };
    });
  },
  { alpha: 0.05, alternative: 'two-sided', equalVar: false } as MeanDiffParams,
  { name: 'meanDiff' },
);
