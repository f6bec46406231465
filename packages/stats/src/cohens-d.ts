import { verifier, type VerifierFactory } from '@crystallize/core';
import { checkCommonParams } from './verifier-params.js';
import { metricPairs, perMetric } from './metric-pairs.js';
import type { EffectSizeFields, TestResult } from './test-result.js';
import { twoSampleTTest, type TTestOptions } from './two-sample-t.js';
import type { TTestParams } from './welch-t-test.js';

export interface EffectSizeResult extends TestResult, EffectSizeFields {
  readonly mean_diff: number;
}

/**
 * Cohen's d of treatment against baseline, `(mean_t - mean_b) / s_pooled`, with the p-value of
 * Student's t-test (d and Student's t are the same evidence: t = d·sqrt(n_t·n_b / (n_t + n_b))).
 */
export function cohensDEffect(
  treatment: readonly number[],
  baseline: readonly number[],
  options: TTestOptions = {},
): EffectSizeResult {
  const t = twoSampleTTest(treatment, baseline, true, options);
  return {
    test: 'cohens_d',
    statistic: t.effect_size,
    p_value: t.p_value,
    significant: t.significant,
    alpha: t.alpha,
    alternative: t.alternative,
    n_baseline: t.n_baseline,
    n_treatment: t.n_treatment,
    mean_diff: t.mean_diff,
    effect_size: t.effect_size,
    effect_size_name: 'cohens_d',
  };
}

/**
 * Cohen's d (standardised mean difference with the pooled SD) as a verifier: `statistic` and
 * `effect_size` are d; `p_value`/`significant` come from Student's t-test.
 *
 * @example
 * hypothesis({ verifier: cohensD(), metrics: 'score' }, (r) => -r.effect_size)
 */
export const cohensD: VerifierFactory<TTestParams, EffectSizeResult> = verifier(
  (baseline, treatment, params) => {
    checkCommonParams('cohensD', params);
    return perMetric(metricPairs('cohensD', baseline, treatment), (m) =>
      cohensDEffect(m.treatment, m.baseline, params),
    );
  },
  { alpha: 0.05, alternative: 'two-sided' } as TTestParams,
  { name: 'cohensD' },
);
