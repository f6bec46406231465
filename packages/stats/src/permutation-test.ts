import { createRng, type VerifierFactory } from '@crystallize/core';
import { sum } from './moments.js';
import { resamplingVerifier, withResamplingDefaults } from './resampling-verifier.js';
import type { ResamplingOptions, ResamplingParams } from './resampling-verifier.js';
import { testResult, type TestResult } from './test-result.js';

export interface PermutationResult extends TestResult {
  /** `'exact'` when every split of the pooled values was enumerated, else `'monte-carlo'`. */
  readonly method: 'exact' | 'monte-carlo';
  /** Splits evaluated: all of them (exact) or `nResamples`. */
  readonly n_resamples: number;
  readonly seed: number;
}

export type PermutationOptions = ResamplingOptions;

/** C(n, k) as a float (Infinity beyond double range is fine: it only decides exact vs sampled). */
function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/**
 * Two-sample permutation test of the mean difference (treatment minus baseline), as SciPy's
 * `permutation_test((treatment, baseline), mean_diff, permutation_type='independent')`: exact
 * when the number of distinct splits is at most `nResamples`, otherwise `nResamples` random
 * splits drawn from a PRNG seeded with `seed`, with SciPy's `(count + 1) / (n + 1)` p-value.
 */
export function computePermutationTest(
  treatment: readonly number[],
  baseline: readonly number[],
  options: PermutationOptions = {},
): PermutationResult {
  const { alternative, alpha, nResamples, seed } = withResamplingDefaults(options);
  const n1 = treatment.length;
  const n2 = baseline.length;
  const pooled = [...treatment, ...baseline];
  const total = sum(pooled);
  const stat = (s1: number): number => s1 / n1 - (total - s1) / n2;
  const observed = sum(treatment) / n1 - sum(baseline) / n2;
  // SciPy's tolerance: null statistics within rounding of the observed one count as "as extreme".
  const gamma = Math.max(1e-14, Math.abs(1e-14 * observed));
  let atMost = 0;
  let atLeast = 0;
  const tally = (s1: number): void => {
    const v = stat(s1);
    if (v <= observed + gamma) atMost++;
    if (v >= observed - gamma) atLeast++;
  };

  const splits = binomial(n1 + n2, n1);
  const exact = splits <= nResamples;
  let evaluated: number;
  if (exact) {
    forEachSubsetSum(pooled, n1, tally);
    evaluated = splits;
  } else {
    const rng = createRng(seed);
    const work = [...pooled];
    for (let r = 0; r < nResamples; r++) {
      // Partial Fisher–Yates: the first n1 slots become a uniform random treatment sample.
      for (let i = 0; i < n1; i++) {
        const j = rng.int(i, work.length - 1);
        [work[i], work[j]] = [work[j] as number, work[i] as number];
      }
      tally(sum(work.slice(0, n1)));
    }
    evaluated = nResamples;
  }
  const adj = exact ? 0 : 1;
  const pLess = (atMost + adj) / (evaluated + adj);
  const pGreater = (atLeast + adj) / (evaluated + adj);
  const p =
    alternative === 'less'
      ? pLess
      : alternative === 'greater'
        ? pGreater
        : Math.min(1, 2 * Math.min(pLess, pGreater));
  const outcome = { statistic: observed, p_value: p, n_baseline: n2, n_treatment: n1 };
  return {
    ...testResult('permutation_test', outcome, { alpha, alternative }),
    method: exact ? 'exact' : 'monte-carlo',
    n_resamples: evaluated,
    seed,
  };
}

/** Calls `visit` with the sum of every `k`-subset of `values` (lexicographic index order). */
function forEachSubsetSum(values: readonly number[], k: number, visit: (s: number) => void): void {
  const idx = Array.from({ length: k }, (_, i) => i);
  const n = values.length;
  for (;;) {
    visit(sum(idx.map((i) => values[i] as number)));
    let i = k - 1;
    while (i >= 0 && (idx[i] as number) === n - k + i) i--;
    if (i < 0) return;
    idx[i] = (idx[i] as number) + 1;
    for (let j = i + 1; j < k; j++) idx[j] = (idx[j - 1] as number) + 1;
  }
}

export type PermutationParams = ResamplingParams;

/**
 * Permutation test of the difference in means: no distributional assumption, exact for small
 * experiments. Seeded (`seed`, default 42) so a rerun gives the same p-value.
 *
 * @example
 * hypothesis({ verifier: permutationTest({ nResamples: 20000 }), metrics: 'reward' })
 */
export const permutationTest: VerifierFactory<PermutationParams, PermutationResult> =
  resamplingVerifier('permutationTest', computePermutationTest);
