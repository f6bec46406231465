import { MissingMetricError, ValidationError } from '../errors.js';
import {
  isVerifierFactory,
  type MetricSamples,
  type Verifier,
  type VerifierFactory,
  type VerifierParams,
} from './verifier.js';

/** Metrics a hypothesis tests: one name, one group of names, or several groups. */
export type MetricSelection = string | readonly string[] | readonly (readonly string[])[];

/**
 * A multiple-comparison correction of p-values, e.g. `pValueAdjustment('holm')` from
 * `@crystallize/stats`. Returns the adjusted values in the order given.
 */
export interface PValueCorrection {
  readonly method: string;
  adjust(pValues: readonly number[]): readonly number[];
}

export interface HypothesisOptions<R> {
  readonly verifier: Verifier<R> | VerifierFactory<VerifierParams, R>;
  /** Default: one group with every metric the baseline recorded. */
  readonly metrics?: MetricSelection;
  readonly name?: string;
  /** Correct the p-values of all treatments (and metrics) together; see {@link Hypothesis.adjust}. */
  readonly adjust?: PValueCorrection;
}

/** Treatments ordered by score, lowest (best) first. */
export interface Ranking {
  readonly best: string | undefined;
  readonly ranked: readonly (readonly [string, number])[];
}

/** A condition's aggregated metrics: `{ metric: values over replicates }`. */
export type ConditionMetricMap = Readonly<Record<string, readonly unknown[]>>;

/**
 * A claim tested for each treatment against the baseline, with a ranker that scores each
 * treatment's verifier output (lower ranks first).
 */
export class Hypothesis<Out = unknown> {
  readonly name: string;
  /** Metric groups; undefined means "every baseline metric, as one group". */
  readonly metricGroups: readonly (readonly string[])[] | undefined;
  readonly verifier: Verifier;
  readonly adjustment: PValueCorrection | undefined;
  // Typed on `unknown` so a Hypothesis<R> is usable as a Hypothesis<unknown> (lists of mixed hypotheses).
  readonly #ranker: (result: unknown) => number;
  readonly #multi: boolean;

  constructor(options: HypothesisOptions<unknown>, ranker?: (result: Out) => number) {
    const v = options.verifier;
    if (typeof v !== 'function') {
      throw new ValidationError(
        `Hypothesis ${options.name ?? ''}: 'verifier' must be a verifier, e.g. welchTTest().`,
      );
    }
    this.verifier = isVerifierFactory(v) ? v() : (v as Verifier);
    const m = options.metrics;
    this.#multi = Array.isArray(m) && m.length > 0 && m.every((g) => Array.isArray(g));
    this.metricGroups =
      m === undefined
        ? undefined
        : typeof m === 'string'
          ? [[m]]
          : this.#multi
            ? (m as readonly (readonly string[])[]).map((g) => [...g])
            : [[...(m as readonly string[])]];
    if (
      this.metricGroups?.some((g) => g.length === 0 || g.some((x) => typeof x !== 'string' || !x))
    ) {
      throw new ValidationError(
        `Hypothesis ${options.name ?? ''}: metric groups must be non-empty lists of metric names.`,
      );
    }
    const label = this.metricGroups ? this.metricGroups.map((g) => g.join('+')).join(',') : 'all';
    this.name = options.name ?? `${this.verifier.verifierName}:${label}`;
    this.#ranker =
      (ranker as ((result: unknown) => number) | undefined) ?? defaultRanker(this.name);
    this.adjustment = options.adjust;
  }

  /** Runs the verifier on each metric group: one output, or a list for several groups. */
  verify(baseline: ConditionMetricMap, treatment: ConditionMetricMap): Out {
    const groups = this.metricGroups ?? [Object.keys(baseline)];
    const outputs = groups.map((group) =>
      this.verifier(
        this.#select(group, baseline, 'baseline'),
        this.#select(group, treatment, 'treatment'),
      ),
    );
    return (this.#multi ? outputs : outputs[0]) as Out;
  }

  /** The ranker's score of one verifier output. */
  rank(result: Out): number {
    return this.#ranker(result);
  }

  rankTreatments(results: Readonly<Record<string, Out>>): Ranking {
    const ranked = Object.entries(results).map(([name, r]) => [name, this.rank(r)] as const);
    ranked.sort((a, b) => (Number.isNaN(a[1]) ? 1 : Number.isNaN(b[1]) ? -1 : a[1] - b[1]));
    return { best: ranked[0]?.[0], ranked };
  }

  /**
   * Applies the hypothesis' `adjust` correction across every treatment's output: each result
   * object with a numeric `p_value` (the output itself, the entries of a per-metric record, or
   * the elements of a per-group list) is one test of the family, and gets `p_value_adjusted`,
   * `adjustment` (the method) and, when it reports `alpha`, `significant_adjusted`. Raw fields
   * are kept. Without `adjust`, returns `results` unchanged. Call it after `verify` has run for
   * every treatment, before or after `rankTreatments` (rankers see raw outputs).
   *
   * @example
   * const h = hypothesis({ verifier: welchTTest(), metrics: 'sum', adjust: pValueAdjustment('holm') });
   * h.adjust({ a: h.verify(base, a), b: h.verify(base, b) }).a.p_value_adjusted;
   */
  adjust(results: Readonly<Record<string, Out>>): Readonly<Record<string, Out>> {
    const correction = this.adjustment;
    if (!correction) return results;
    const leaves: { p_value: number }[] = [];
    for (const output of Object.values(results)) collectTests(output, leaves);
    const adjusted = correction.adjust(leaves.map((l) => l.p_value));
    const replaced = new Map<object, object>();
    leaves.forEach((leaf, i) => {
      const p = adjusted[i] as number;
      const alpha = (leaf as { alpha?: unknown }).alpha;
      replaced.set(leaf, {
        ...leaf,
        p_value_adjusted: p,
        adjustment: correction.method,
        ...(typeof alpha === 'number' ? { significant_adjusted: p < alpha } : {}),
      });
    });
    const out: Record<string, Out> = {};
    for (const [name, output] of Object.entries(results)) {
      out[name] = rebuild(output, replaced) as Out;
    }
    return out;
  }

  #select(group: readonly string[], metrics: ConditionMetricMap, which: string): MetricSamples {
    const out: Record<string, readonly number[]> = {};
    for (const name of group) {
      const values = metrics[name];
      if (values === undefined) {
        throw new MissingMetricError(
          name,
          Object.keys(metrics),
          `the ${which} metrics of hypothesis '${this.name}'`,
        );
      }
      out[name] = values as readonly number[];
    }
    return out;
  }
}

function isTest(value: unknown): value is { p_value: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { p_value?: unknown }).p_value === 'number'
  );
}

/** Result objects with a numeric `p_value`: the value, a record of them, or a list of either. */
function collectTests(value: unknown, into: { p_value: number }[]): void {
  if (isTest(value)) into.push(value);
  else if (Array.isArray(value)) for (const v of value) collectTests(v, into);
  else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) if (isTest(v)) into.push(v);
  }
}

function rebuild(value: unknown, replaced: ReadonlyMap<object, object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const hit = replaced.get(value);
  if (hit) return hit;
  if (Array.isArray(value)) return value.map((v) => rebuild(v, replaced));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, (isTest(v) && replaced.get(v)) || v]),
  );
}

function defaultRanker(name: string) {
  return (result: unknown): number => {
    const list = Array.isArray(result) ? result : [result];
    const ps = list.map((r) => (r as { p_value?: unknown } | null)?.p_value);
    if (ps.every((p) => typeof p === 'number')) return Math.min(...(ps as number[]));
    throw new ValidationError(
      `Hypothesis '${name}' has no ranker and its verifier output has no numeric 'p_value'; pass a ranker: hypothesis({...}, (r) => score).`,
    );
  };
}

/**
 * @example hypothesis({ verifier: welchTTest(), metrics: 'sum' }, (r) => r.p_value)
 */
export function hypothesis<R>(
  options: HypothesisOptions<R> & { readonly metrics: readonly (readonly string[])[] },
  ranker?: (result: readonly R[]) => number,
): Hypothesis<readonly R[]>;
export function hypothesis<R>(
  options: HypothesisOptions<R> & { readonly metrics?: string | readonly string[] },
  ranker?: (result: R) => number,
): Hypothesis<R>;
export function hypothesis<R>(
  options: HypothesisOptions<R>,
  ranker?: ((result: R) => number) | ((result: readonly R[]) => number),
): Hypothesis<R> | Hypothesis<readonly R[]> {
  return new Hypothesis(
    options as HypothesisOptions<unknown>,
    ranker as ((r: unknown) => number) | undefined,
  ) as Hypothesis<R>;
}
