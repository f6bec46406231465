import { tQuantile } from './quantiles.js';

/** Mean and 95% confidence interval of one condition's values of one metric. */
export interface MetricSummary {
  /** Numeric values (non-numbers are not counted). */
  readonly n: number;
  /** Values that were not finite numbers. */
  readonly skipped: number;
  readonly mean: number;
  readonly sd: number;
  /** t-based 95% interval of the mean; NaN when n < 2. */
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly min: number;
  readonly max: number;
}

export function numericValues(values: readonly unknown[]): number[] {
  const out: number[] = [];
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  return out;
}

/** Mean, sample standard deviation and the t interval `mean ± t(0.975, n-1)·sd/√n`. */
export function summarize(values: readonly unknown[]): MetricSummary {
  const xs = numericValues(values);
  const n = xs.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = n ? sum / n : NaN;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  const half = n > 1 ? tQuantile(0.975, n - 1) * (sd / Math.sqrt(n)) : NaN;
  return {
    n,
    skipped: values.length - n,
    mean,
    sd,
    ciLow: mean - half,
    ciHigh: mean + half,
    min: n ? min : NaN,
    max: n ? max : NaN,
  };
}

/**
 * At most `max` values that keep the distribution's shape: all of them when there are few,
 * otherwise `max` evenly spaced order statistics (the 0th to 100th percentile), so a plot of
 * 10,000 replicates stays small while its spread, tails and median are drawn faithfully.
 */
export function thinToQuantiles(values: readonly number[], max: number): number[] {
  if (values.length <= max) return [...values];
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    out.push(sorted[Math.round((i * (sorted.length - 1)) / (max - 1))] as number);
  }
  return out;
}
