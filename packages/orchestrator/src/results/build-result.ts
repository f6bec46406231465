import {
  BASELINE_CONDITION,
  CrystallizeError,
  PipelineExecutionError,
  type Hypothesis,
} from '@crystallize/core';
import type { ReplicateOutcome, SerializedError } from '../execution/replicate-outcome.js';
import { originalError } from '../experiment/condition-runner.js';
import type { StoredCondition } from '../resume/stored-condition.js';
import type { ConditionFingerprint } from '../resume/fingerprint.js';
import { ProvenanceStore } from './provenance-store.js';
import { ConditionMetrics, HypothesisResult, Result, type StoredArtifact } from './result.js';

export interface ResultInput {
  readonly experiment: string;
  readonly pipelineSignature: string;
  readonly replicates: number;
  readonly conditions: readonly string[];
  readonly reused: ReadonlyMap<string, StoredCondition>;
  readonly fingerprints: Readonly<Record<string, ConditionFingerprint>>;
  readonly dir: string | undefined;
}

function rebuildError(e: SerializedError): Error {
  let err: Error;
  if (e.stepName !== undefined) {
    const cause = new Error(e.message.replace(/^Step '.*?' failed(?: \(.*?\))?: /, ''));
    err = new PipelineExecutionError(e.stepName, cause);
  } else {
    err = new CrystallizeError(e.message);
  }
  if (e.stack) err.stack = e.stack;
  return err;
}

interface Arrival {
  readonly seed?: number;
  readonly metrics?: Readonly<Record<string, readonly unknown[]>>;
}

/**
 * One condition's metrics and seeds, appended in replicate order as replicates arrive. Out of
 * order arrivals wait until the gap before them fills, so long runs keep columns of values,
 * not an object per replicate (fewer long-lived objects: a smaller, cheaper heap).
 */
class ConditionAcc {
  readonly columns = new Map<string, unknown[]>();
  readonly seeds: number[] = [];
  readonly artifacts: StoredArtifact[] = [];
  #next = 0;
  readonly #pending = new Map<number, Arrival>();

  arrive(replicate: number, arrival: Arrival): void {
    if (replicate !== this.#next) {
      this.#pending.set(replicate, arrival);
      return;
    }
    this.#apply(arrival);
    this.#next += 1;
    for (
      let a = this.#pending.get(this.#next);
      a !== undefined;
      a = this.#pending.get(this.#next)
    ) {
      this.#pending.delete(this.#next);
      this.#apply(a);
      this.#next += 1;
    }
  }

  /** Replicates that never came (an aborted run) leave gaps: apply what waits behind them. */
  flush(): void {
    for (const rep of [...this.#pending.keys()].sort((a, b) => a - b))
      this.#apply(this.#pending.get(rep) as Arrival);
    this.#pending.clear();
  }

  #apply(a: Arrival): void {
    if (a.seed !== undefined) this.seeds.push(a.seed);
    if (!a.metrics) return;
    for (const name in a.metrics) {
      let column = this.columns.get(name);
      if (!column) this.columns.set(name, (column = []));
      for (const v of a.metrics[name] as readonly unknown[]) column.push(v);
    }
  }
}

/**
 * Folds replicate outcomes into a {@link Result} as they arrive, in any order, so a long run
 * never holds every outcome at once. Reused (resumed) conditions are merged in at the end.
 */
export class ResultAccumulator {
  readonly #input: ResultInput;
  readonly #conditions = new Map<string, ConditionAcc>();
  readonly #provenance = new ProvenanceStore();
  readonly #errors: Record<string, Error> = {};

  constructor(input: ResultInput) {
    this.#input = input;
    for (const c of input.conditions) {
      if (!input.reused.has(c)) this.#conditions.set(c, new ConditionAcc());
      this.#provenance.ensureCondition(c);
    }
  }

  add(outcome: ReplicateOutcome): void {
    for (const [condition, acc] of this.#conditions) {
      const o = outcome.conditions.find((x) => x.condition === condition);
      if (!o) {
        acc.arrive(outcome.replicate, {}); // not run in this replicate (its baseline failed)
        continue;
      }
      for (const a of o.artifacts) acc.artifacts.push({ replicate: o.replicate, ...a });
      if (o.error) {
        // Same thread (serial, async): the very error thrown. Across a worker: a rebuilt one.
        this.#errors[`${o.condition}_rep_${o.replicate}`] =
          originalError(o.error) ?? rebuildError(o.error);
        acc.arrive(o.replicate, { seed: o.seed });
        continue;
      }
      acc.arrive(o.replicate, { seed: o.seed, metrics: o.metrics });
      this.#provenance.add(o.condition, o.replicate, o.records);
    }
  }

  finish(hypotheses: readonly Hypothesis<unknown>[]): Result {
    const input = this.#input;
    const result = new Result();
    result.experiment = input.experiment;
    result.dir = input.dir;
    result.errors = this.#errors;
    const seeds: Record<string, number[]> = {};
    for (const c of input.conditions) {
      const stored = input.reused.get(c);
      const acc = this.#conditions.get(c) ?? new ConditionAcc();
      const cm = new ConditionMetrics();
      if (stored) {
        cm.metrics = Object.fromEntries(
          Object.entries(stored.metrics).map(([k, v]) => [k, [...v]]),
        );
        seeds[c] = [...stored.seeds];
        for (const [rep, records] of Object.entries(stored.provenance))
          this.#provenance.add(c, Number(rep), records);
        result.artifacts[c] = [...stored.artifacts];
      } else {
        acc.flush();
        cm.metrics = Object.fromEntries(acc.columns);
        seeds[c] = acc.seeds;
        result.artifacts[c] = acc.artifacts.sort((a, b) => a.replicate - b.replicate);
      }
      if (c === BASELINE_CONDITION) result.metrics.baseline = cm;
      else result.metrics.treatments[c] = cm;
    }
    result.provenance = {
      pipelineSignature: input.pipelineSignature,
      replicates: input.replicates,
      seeds,
      ctxChanges: this.#provenance.view(),
    };
    result.attachProvenance(this.#provenance);
    result.fingerprints = Object.fromEntries(
      Object.entries(input.fingerprints).map(([k, v]) => [
        k,
        { hash: v.hash, parts: { ...v.parts } },
      ]),
    );
    result.metrics.hypotheses = hypotheses.map((h) =>
      verifyHypothesis(h, result, input.conditions),
    );
    return result;
  }
}

/** Tests one hypothesis for every treatment. A verifier that throws is reported, never fatal. */
function verifyHypothesis(
  h: Hypothesis<unknown>,
  result: Result,
  conditions: readonly string[],
): HypothesisResult {
  const out = new HypothesisResult();
  out.name = h.name;
  const baseline = result.metrics.baseline.metrics;
  for (const t of conditions) {
    if (t === BASELINE_CONDITION) continue;
    try {
      out.results[t] = h.verify(baseline, result.metrics.treatments[t]?.metrics ?? {});
    } catch (e) {
      out.errors[t] = `${(e as Error).name}: ${(e as Error).message}`;
    }
  }
  try {
    // Multiple-comparison correction over the treatments (when the hypothesis asks for one).
    out.results = { ...h.adjust(out.results) };
  } catch (e) {
    out.errors['adjust'] = `${(e as Error).name}: ${(e as Error).message}`;
  }
  try {
    out.ranking = h.rankTreatments(out.results);
  } catch (e) {
    out.errors['ranking'] = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return out;
}
