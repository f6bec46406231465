import { ValidationError, type MetricSamples } from '@crystallize/core';

/** One metric's samples, checked: finite numbers, enough of them. */
export interface MetricPair {
  readonly metric: string;
  readonly baseline: readonly number[];
  readonly treatment: readonly number[];
}

/**
 * The output of a stats verifier for one metric group: the test result itself when the group has
 * one metric (so `(r) => r.p_value` ranks it), `{ [metric]: result }` when it has several.
 */
export type PerMetric<R> = R | Readonly<Record<string, R>>;

export interface PairingOptions {
  /** Paired tests: baseline and treatment must have the same length. */
  readonly paired?: boolean;
  /** Fewest values per condition (default 2). */
  readonly minSize?: number;
}

/**
 * Matches the baseline and treatment samples of each metric in the group and checks them, listing
 * every problem in one ValidationError.
 */
export function metricPairs(
  verifierName: string,
  baseline: MetricSamples,
  treatment: MetricSamples,
  options: PairingOptions = {},
): MetricPair[] {
  const minSize = options.minSize ?? 2;
  const problems: string[] = [];
  const pairs: MetricPair[] = [];
  const names = Object.keys(baseline);
  if (names.length === 0) problems.push('the metric group is empty.');
  for (const name of Object.keys(treatment)) {
    if (!(name in baseline))
      problems.push(`metric '${name}' has treatment samples but no baseline.`);
  }
  for (const metric of names) {
    const b = check(metric, 'baseline', baseline[metric], minSize, problems);
    const t = check(metric, 'treatment', treatment[metric], minSize, problems);
    if (!b || !t) continue;
    if (options.paired && b.length !== t.length) {
      problems.push(
        `metric '${metric}': a paired test pairs replicates by index, but baseline has ${b.length} values and treatment ${t.length}. ` +
          'Use the same replicate count for both, or an unpaired test (welchTTest).',
      );
      continue;
    }
    pairs.push({ metric, baseline: b, treatment: t });
  }
  if (problems.length > 0) throw new ValidationError(problems, `Verifier '${verifierName}'`);
  return pairs;
}

function check(
  metric: string,
  which: string,
  values: unknown,
  minSize: number,
  problems: string[],
): readonly number[] | undefined {
  if (values === undefined) {
    problems.push(`metric '${metric}' has no ${which} samples.`);
    return undefined;
  }
  if (!Array.isArray(values)) {
    problems.push(`metric '${metric}' (${which}) must be an array of numbers.`);
    return undefined;
  }
  const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) {
    problems.push(
      `metric '${metric}' (${which}) has a value that is not a finite number at index ${bad}: ${describe(values[bad])}. ` +
        'Record numbers only (convert booleans with Number(x); drop failed replicates instead of recording NaN).',
    );
    return undefined;
  }
  if (values.length < minSize) {
    problems.push(
      `metric '${metric}' (${which}) has ${values.length} value${values.length === 1 ? '' : 's'}; the test needs at least ${minSize}. ` +
        'Run more replicates.',
    );
    return undefined;
  }
  return values as readonly number[];
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Applies `test` to every metric of the group and shapes the output (see {@link PerMetric}). */
export function perMetric<R>(pairs: readonly MetricPair[], test: (pair: MetricPair) => R): R {
  if (pairs.length === 1) return test(pairs[0] as MetricPair);
  const out: Record<string, R> = {};
  for (const pair of pairs) out[pair.metric] = test(pair);
  // Several metrics give a record of results; the declared type stays the single-metric result so
  // the common `(r) => r.p_value` ranker type-checks (see README, "Output shape").
  return out as unknown as R;
}
