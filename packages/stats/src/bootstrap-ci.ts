import { createRng, type VerifierFactory } from '@crystallize/core';
import { mean } from './moments.js';
import { resamplingVerifier, withResamplingDefaults } from './resampling-verifier.js';
import type { ResamplingOptions, ResamplingParams } from './resampling-verifier.js';
import { testResult, type IntervalFields, type TestResult } from './test-result.js';

export interface BootstrapResult extends TestResult, IntervalFields {
  readonly method: 'percentile';
  readonly n_resamples: number;
  readonly seed: number;
}

export type BootstrapOptions = ResamplingOptions;

/** The `q` quantile of sorted values with linear interpolation (NumPy's default, R type 7). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/**
 * Percentile bootstrap of the mean difference (treatment minus baseline): each condition is
 * resampled with replacement `nResamples` times from a PRNG seeded with `seed`. The interval has
 * level `1 - alpha` (one-sided for a one-sided alternative). `p_value` inverts the percentile
 * interval — the share of bootstrap differences on the far side of 0, `(count + 1) / (n + 1)`,
 * doubled for two-sided — so `significant` agrees with "the interval excludes 0" up to the
 * interpolation of its end points.
 */
export function computeBootstrapCI(
  treatment: readonly number[],
  baseline: readonly number[],
  options: BootstrapOptions = {},
): BootstrapResult {
  const { alternative, alpha, nResamples, seed } = withResamplingDefaults(options);
  const rng = createRng(seed);
  const draw = (xs: readonly number[]): number => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[rng.int(0, xs.length - 1)] as number;
    return s / xs.length;
  };
  const diffs = new Float64Array(nResamples);
  let atMostZero = 0;
  let atLeastZero = 0;
  for (let r = 0; r < nResamples; r++) {
    const d = draw(treatment) - draw(baseline);
    diffs[r] = d;
    if (d <= 0) atMostZero++;
    if (d >= 0) atLeastZero++;
  }
  diffs.sort();
  const observed = mean(treatment) - mean(baseline);
  const pGreater = (atMostZero + 1) / (nResamples + 1);
  const pLess = (atLeastZero + 1) / (nResamples + 1);
  let p: number;
  let ci: [number, number];
  if (alternative === 'greater') {
    p = pGreater;
    ci = [quantileSorted(diffs, alpha), Infinity];
  } else if (alternative === 'less') {
    p = pLess;
    ci = [-Infinity, quantileSorted(diffs, 1 - alpha)];
  } else {
    p = Math.min(1, 2 * Math.min(pGreater, pLess));
    ci = [quantileSorted(diffs, alpha / 2), quantileSorted(diffs, 1 - alpha / 2)];
  }
  const outcome = {
    statistic: observed,
    p_value: p,
    n_baseline: baseline.length,
    n_treatment: treatment.length,
  };
  return {
    ...testResult('bootstrap_ci', outcome, { alpha, alternative }),
    ci_low: ci[0],
    ci_high: ci[1],
    confidence: 1 - alpha,
    method: 'percentile',
    n_resamples: nResamples,
    seed,
  };
}

export type BootstrapParams = ResamplingParams;

/**
 * Bootstrap confidence interval of the mean difference (treatment minus baseline), seeded so it
 * is reproducible (`seed`, default 42). Reports `statistic` (observed difference), `ci_low`,
 * `ci_high`, `p_value` and `significant`.
 *
 * @example
 * hypothesis({ verifier: bootstrapCI({ alpha: 0.1 }), metrics: 'f1' }, (r) => -r.ci_low)
 */
export const bootstrapCI: VerifierFactory<BootstrapParams, BootstrapResult> = resamplingVerifier(
  'bootstrapCI',
  computeBootstrapCI,
);
