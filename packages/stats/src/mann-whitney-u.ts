import type { VerifierFactory } from '@crystallize/core';
import { checkChoice, type Alternative, type CommonParams } from './verifier-params.js';
import { normalCdf } from './distributions.js';
import { exactUTails } from './mann-whitney-distribution.js';
import { perMetricVerifier } from './per-metric-verifier.js';
import { midRanks } from './ranks.js';
import { testResult, type EffectSizeFields, type TestResult } from './test-result.js';

export type MannWhitneyMethod = 'auto' | 'exact' | 'asymptotic';

export interface MannWhitneyResult extends TestResult, EffectSizeFields {
  /** The method actually used (`'auto'` resolved). */
  readonly method: 'exact' | 'asymptotic';
  /** Whether the values contain ties (mid-ranks were used). */
  readonly ties: boolean;
}

export interface MannWhitneyOptions {
  readonly alternative?: Alternative;
  readonly alpha?: number;
  readonly method?: MannWhitneyMethod;
  /** Continuity correction of the normal approximation (SciPy's `use_continuity`). */
  readonly continuity?: boolean;
}

/**
 * Mann–Whitney U test of `treatment` against `baseline`, as SciPy's
 * `mannwhitneyu(treatment, baseline, use_continuity, alternative, method)`. `statistic` is the
 * treatment's U. `'auto'` uses the exact distribution when the smaller sample has at most 8
 * values and there are no ties, the tie-corrected normal approximation otherwise (SciPy's rule).
 */
export function computeMannWhitneyUTest(
  treatment: readonly number[],
  baseline: readonly number[],
  {
    alternative = 'two-sided',
    alpha = 0.05,
    method = 'auto',
    continuity = true,
  }: MannWhitneyOptions = {},
): MannWhitneyResult {
  const n1 = treatment.length;
  const n2 = baseline.length;
  const n = n1 + n2;
  const { ranks, tieSizes } = midRanks([...treatment, ...baseline]);
  const ties = tieSizes.some((t) => t > 1);
  const used =
    method === 'auto' ? (Math.min(n1, n2) <= 8 && !ties ? 'exact' : 'asymptotic') : method;
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i] as number;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;

  let p: number;
  if (used === 'exact') {
    const doubled = ranks.map((r) => Math.round(2 * r));
    const tails = exactUTails(doubled, n1, Math.round(2 * r1));
    p =
      alternative === 'greater'
        ? tails.greaterOrEqual
        : alternative === 'less'
          ? tails.lessOrEqual
          : 2 * Math.min(tails.greaterOrEqual, tails.lessOrEqual);
  } else {
    const tieTerm = tieSizes.reduce((acc, t) => acc + (t * t * t - t), 0);
    const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    // As SciPy: always an upper tail, of U1 (greater), U2 (less) or the larger of the two
    // (two-sided, doubled); the continuity correction moves U half a step toward the mean.
    const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2);
    const z = (u - (n1 * n2) / 2 - (continuity ? 0.5 : 0)) / sd;
    p = normalCdf(-z) * (alternative === 'two-sided' ? 2 : 1);
  }
  p = Math.min(1, Math.max(0, p));
  const outcome = { statistic: u1, p_value: p, n_baseline: n2, n_treatment: n1 };
  return {
    ...testResult('mann_whitney_u', outcome, { alpha, alternative }),
    method: used,
    ties,
    effect_size: (2 * u1) / (n1 * n2) - 1,
    effect_size_name: 'cliffs_delta',
  };
}

export type MannWhitneyParams = CommonParams & {
  method: MannWhitneyMethod;
  continuity: boolean;
};

/** Defaults of the verifiers built on the U test (`mannWhitneyUTest`, `cliffsDelta`). */
export const MANN_WHITNEY_DEFAULTS: Readonly<MannWhitneyParams> = {
  alpha: 0.05,
  alternative: 'two-sided',
  method: 'auto',
  continuity: true,
};

/** Throws unless `method` is one of the {@link MannWhitneyMethod}s. */
export function checkMannWhitneyParams(
  verifierName: string,
  params: Readonly<MannWhitneyParams>,
): void {
  checkChoice(verifierName, 'method', params.method, ['auto', 'exact', 'asymptotic']);
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test: does the treatment tend to give larger (or smaller)
 * values than the baseline? No normality assumption; robust to outliers and heavy tails.
 * Reports the treatment's U as `statistic`, `p_value`, `significant`, the `method` used and
 * Cliff's delta (`P(T > B) - P(T < B)`) as `effect_size`.
 *
 * @example
 * hypothesis({ verifier: mannWhitneyUTest({ alternative: 'less' }), metrics: 'latency_ms' })
 */
export const mannWhitneyUTest: VerifierFactory<MannWhitneyParams, MannWhitneyResult> =
  perMetricVerifier('mannWhitneyUTest', computeMannWhitneyUTest, MANN_WHITNEY_DEFAULTS, {
    checkParams: checkMannWhitneyParams,
  });
