/** Sample summaries, computed the way NumPy does (two-pass variance) but with compensated sums. */

/** Neumaier-compensated sum: exact to rounding for the sample sizes experiments produce. */
export function sum(values: readonly number[]): number {
  let s = 0;
  let c = 0;
  for (const v of values) {
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

export function mean(values: readonly number[]): number {
  return sum(values) / values.length;
}

/** Sample variance with `ddof` delta degrees of freedom (1 = unbiased). */
export function variance(values: readonly number[], ddof = 1): number {
  const m = mean(values);
  return sum(values.map((v) => (v - m) * (v - m))) / (values.length - ddof);
}
