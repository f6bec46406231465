import type { VerifierFactory } from '@crystallize/core';
import { stdlibGammaln as gammaln } from './stdlib.js';
import { computeCohensD, type EffectSizeResult } from './cohens-d.js';
import { perMetricVerifier } from './per-metric-verifier.js';
import type { TTestOptions } from './two-sample-t.js';
import { T_TEST_DEFAULTS, type TTestParams } from './welch-t-test.js';

/**
 * Hedges' small-sample correction J(df) = Γ(df/2) / (sqrt(df/2) · Γ((df-1)/2)), exact rather
 * than the usual 1 - 3/(4·df - 1) approximation (off by 2e-3 at df = 4, < 1e-3 from df = 8).
 */
export function hedgesCorrection(df: number): number {
  return Math.exp(gammaln(df / 2) - gammaln((df - 1) / 2)) / Math.sqrt(df / 2);
}

/** Hedges' g: Cohen's d times {@link hedgesCorrection}, with Student's t-test p-value. */
export function computeHedgesG(
  treatment: readonly number[],
  baseline: readonly number[],
  options: TTestOptions = {},
): EffectSizeResult {
  const d = computeCohensD(treatment, baseline, options);
  const g = d.effect_size * hedgesCorrection(treatment.length + baseline.length - 2);
  return { ...d, test: 'hedges_g', statistic: g, effect_size: g, effect_size_name: 'hedges_g' };
}

/**
 * Hedges' g (Cohen's d corrected for small-sample bias) as a verifier: the standardised effect to
 * report for the handful of replicates experiments usually have.
 *
 * @example
 * hypothesis({ verifier: hedgesG(), metrics: 'score' }, (r) => -r.effect_size)
 */
export const hedgesG: VerifierFactory<TTestParams, EffectSizeResult> = perMetricVerifier(
  'hedgesG',
  computeHedgesG,
  T_TEST_DEFAULTS,
);
