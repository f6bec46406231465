import { verifier, type VerifierFactory } from '@crystallize/core';
import { checkChoice, checkCommonParams } from './verifier-params.js';
import { mannWhitneyUTest, type MannWhitneyParams } from './mann-whitney-u.js';
import { metricPairs, perMetric } from './metric-pairs.js';
import type { EffectSizeFields, TestResult } from './test-result.js';

export interface CliffsDeltaResult extends TestResult, EffectSizeFields {
  /** The Mann–Whitney method behind `p_value`. */
  readonly method: 'exact' | 'asymptotic';
}

/**
 * Cliff's delta as a verifier: `P(T > B) - P(T < B)` over all treatment/baseline pairs, in
 * [-1, 1] (equal to `2U / (n_t·n_b) - 1` for the treatment's U), with the Mann–Whitney p-value.
 *
 * @example
 * hypothesis({ verifier: cliffsDelta(), metrics: 'rank' }, (r) => -r.effect_size)
 */
export const cliffsDelta: VerifierFactory<MannWhitneyParams, CliffsDeltaResult> = verifier(
  (baseline, treatment, params) => {
    checkCommonParams('cliffsDelta', params);
    checkChoice('cliffsDelta', 'method', params.method, ['auto', 'exact', 'asymptotic']);
    return perMetric(metricPairs('cliffsDelta', baseline, treatment), (m) => {
      const u = mannWhitneyUTest(m.treatment, m.baseline, params);
      return {
        test: 'cliffs_delta',
        statistic: u.effect_size,
        p_value: u.p_value,
        significant: u.significant,
        alpha: u.alpha,
        alternative: u.alternative,
        n_baseline: u.n_baseline,
        n_treatment: u.n_treatment,
        method: u.method,
        effect_size: u.effect_size,
        effect_size_name: 'cliffs_delta' as const,
      };
    });
  },
  { alpha: 0.05, alternative: 'two-sided', method: 'auto', continuity: true } as MannWhitneyParams,
  { name: 'cliffsDelta' },
);
