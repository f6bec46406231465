/**
 * The distribution functions the tests need, from the stdlib project (`@stdlib/stats-base-dists-*`,
 * ports of Boost/Cephes algorithms, accurate to a few ulps in both tails). Upper tails are taken
 * through symmetry (`cdf(-x)`), never as `1 - cdf(x)`, so tiny p-values keep their digits.
 */
import {
  stdlibNormalCdf as normalCdfImpl,
  stdlibTCdf as tCdfImpl,
  stdlibTQuantile as tQuantileImpl,
} from './stdlib.js';
import type { Alternative } from './verifier-params.js';

/** P(T <= x) for Student's t with `df` degrees of freedom (df may be fractional). */
export function tCdf(x: number, df: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return tCdfImpl(x, df);
}

/**
 * The `p` quantile of Student's t with `df` degrees of freedom. (Accurate to the last digit
 * against 40-digit mpmath; SciPy 1.10's `stdtrit` is off by up to ~5e-9, see README.)
 */
export function tQuantile(p: number, df: number): number {
  return tQuantileImpl(p, df);
}

/** P(Z <= z) for the standard normal. */
export function normalCdf(z: number): number {
  return normalCdfImpl(z, 0, 1);
}

/** The p-value of a t statistic, as SciPy's `_ttest_finish`. */
export function tPValue(t: number, df: number, alternative: Alternative): number {
  if (Number.isNaN(t)) return NaN;
  switch (alternative) {
    case 'less':
      return tCdf(t, df);
    case 'greater':
      return tCdf(-t, df);
    case 'two-sided':
      return Math.min(1, 2 * tCdf(-Math.abs(t), df));
  }
}

/**
 * A t-based confidence interval `estimate ± q·se` at level `confidence`, one-sided for a
 * one-sided alternative (as SciPy's `confidence_interval`).
 */
export function tInterval(
  estimate: number,
  se: number,
  df: number,
  confidence: number,
  alternative: Alternative,
): readonly [number, number] {
  if (alternative === 'less') return [-Infinity, estimate + tQuantile(confidence, df) * se];
  if (alternative === 'greater') return [estimate + tQuantile(1 - confidence, df) * se, Infinity];
  const tail = (1 - confidence) / 2;
  return [estimate + tQuantile(tail, df) * se, estimate + tQuantile(1 - tail, df) * se];
}
