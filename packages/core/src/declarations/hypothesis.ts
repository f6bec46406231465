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

export interface HypothesisOptions<R> {
  readonly verifier: Verifier<R> | VerifierFactory<VerifierParams, R>;
  /** Default: one group with every metric the baseline recorded. */
  readonly metrics?: MetricSelection;
  readonly name?: string;
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
  readonly #ranker: (result: Out) => number;
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
    this.#ranker = ranker ?? defaultRanker(this.name);
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
