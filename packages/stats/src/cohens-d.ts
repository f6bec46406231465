import type { VerifierFactory } from '@crystallize/core';
import { perMetricVerifier } from './per-metric-verifier.js';
import { restate, type EffectSizeFields, type TestResult } from './test-result.js';
import { twoSampleTTest, type TTestOptions } from './two-sample-t.js';
import { T_TEST_DEFAULTS, type TTestParams } from './welch-t-test.js';

export interface EffectSizeResult extends TestResult, EffectSizeFields {
  readonly mean_diff: number;
}

/**
 * Cohen's d of treatment against baseline, `(mean_t - mean_b) / s_pooled`, with the p-value of
 * Student's t-test (d and Student's t are the same evidence: t = d·sqrt(n_t·n_b / (n_t + n_b))).
 */
export function computeCohensD(
  treatment: readonly number[],
  baseline: readonly number[],
  options: TTestOptions = {},
): EffectSizeResult {
  const t = twoSampleTTest(treatment, baseline, true, options);
  return {
    ...restate(t, 'cohens_d', t.effect_size),
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
export const cohensD: VerifierFactory<TTestParams, EffectSizeResult> = perMetricVerifier(
  'cohensD',
  computeCohensD,
  T_TEST_DEFAULTS,
);
