import type { VerifierFactory } from '@crystallize/core';
import {
  checkMannWhitneyParams,
  MANN_WHITNEY_DEFAULTS,
  computeMannWhitneyUTest,
  type MannWhitneyOptions,
  type MannWhitneyParams,
} from './mann-whitney-u.js';
import { perMetricVerifier } from './per-metric-verifier.js';
import { restate, type EffectSizeFields, type TestResult } from './test-result.js';

export interface CliffsDeltaResult extends TestResult, EffectSizeFields {
  /** The Mann–Whitney method behind `p_value`. */
  readonly method: 'exact' | 'asymptotic';
}

/**
 * Cliff's delta on two plain arrays, with the Mann–Whitney p-value; the computation behind the
 * {@link cliffsDelta} verifier.
 */
export function computeCliffsDelta(
  treatment: readonly number[],
  baseline: readonly number[],
  options: MannWhitneyOptions = {},
): CliffsDeltaResult {
  const u = computeMannWhitneyUTest(treatment, baseline, options);
  return {
    ...restate(u, 'cliffs_delta', u.effect_size),
    method: u.method,
    effect_size: u.effect_size,
    effect_size_name: 'cliffs_delta',
  };
}

/**
 * Cliff's delta as a verifier: `P(T > B) - P(T < B)` over all treatment/baseline pairs, in
 * [-1, 1] (equal to `2U / (n_t·n_b) - 1` for the treatment's U), with the Mann–Whitney p-value.
 *
 * @example
 * hypothesis({ verifier: cliffsDelta(), metrics: 'rank' }, (r) => -r.effect_size)
 */
export const cliffsDelta: VerifierFactory<MannWhitneyParams, CliffsDeltaResult> = perMetricVerifier(
  'cliffsDelta',
  computeCliffsDelta,
  MANN_WHITNEY_DEFAULTS,
  { checkParams: checkMannWhitneyParams },
);
