/**
 * The exact null distribution of the Mann–Whitney statistic: every way of splitting the pooled
 * ranks into the two samples is equally likely. Works on doubled mid-ranks (integers), so it is
 * exact with ties too, where SciPy's exact path is not (see README).
 */

/**
 * Probabilities of the doubled rank sum of a uniformly random `k`-subset of `doubledRanks`:
 * `pmf[s]` = P(sum of the subset's doubled ranks = s).
 *
 * Recurrence over items (probabilities, not counts, so C(N, k) never overflows):
 * P_i(j, s) = (i - j)/i · P_{i-1}(j, s) + j/i · P_{i-1}(j - 1, s - w_i).
 */
export function subsetSumDistribution(doubledRanks: readonly number[], k: number): Float64Array {
  const maxSum = [...doubledRanks]
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((a, b) => a + b, 0);
  const width = maxSum + 1;
  // rows[j] holds P_i(j, ·); updated in place from j = k down to 0.
  const rows: Float64Array[] = Array.from({ length: k + 1 }, () => new Float64Array(width));
  (rows[0] as Float64Array)[0] = 1;
  let reach = 0; // largest sum reachable so far
  doubledRanks.forEach((w, idx) => {
    const i = idx + 1;
    reach = Math.min(maxSum, reach + w);
    for (let j = Math.min(k, i); j >= 0; j--) {
      const row = rows[j] as Float64Array;
      const stay = (i - j) / i;
      const take = j / i;
      const prev = j > 0 ? (rows[j - 1] as Float64Array) : undefined;
      for (let s = reach; s >= 0; s--) {
        const fromPrev = prev !== undefined && s >= w ? (prev[s - w] as number) : 0;
        row[s] = stay * (row[s] as number) + take * fromPrev;
      }
    }
  });
  return rows[k] as Float64Array;
}

/**
 * Exact tail probabilities of U for the treatment sample, given the pooled doubled ranks and which
 * of them belong to the treatment. Returns P(U' >= U) and P(U' <= U).
 */
export function exactUTails(
  doubledRanks: readonly number[],
  nTreatment: number,
  doubledRankSumTreatment: number,
): { readonly greaterOrEqual: number; readonly lessOrEqual: number } {
  const total = doubledRanks.reduce((a, b) => a + b, 0);
  const nBaseline = doubledRanks.length - nTreatment;
  // Enumerate subsets of the smaller sample; the other's rank sum is the complement.
  const treatmentSide = nTreatment <= nBaseline;
  const k = treatmentSide ? nTreatment : nBaseline;
  const pmf = subsetSumDistribution(doubledRanks, k);
  // Observed statistic in the enumerated sample's terms.
  const observed = treatmentSide ? doubledRankSumTreatment : total - doubledRankSumTreatment;
  let above = 0;
  let below = 0;
  for (let s = 0; s < pmf.length; s++) {
    const p = pmf[s] as number;
    if (p === 0) continue;
    if (s >= observed) above += p;
    if (s <= observed) below += p;
  }
  // U of the treatment grows with its rank sum, and shrinks as the baseline's grows.
  return treatmentSide
    ? { greaterOrEqual: Math.min(1, above), lessOrEqual: Math.min(1, below) }
    : { greaterOrEqual: Math.min(1, below), lessOrEqual: Math.min(1, above) };
}
