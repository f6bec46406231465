import {
  BASELINE_CONDITION,
  CrystallizeError,
  PipelineExecutionError,
  type Hypothesis,
} from '@crystallize/core';
import type { ReplicateOutcome, SerializedError } from '../execution/replicate-outcome.js';
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

interface ConditionAcc {
  readonly metrics: Map<number, Readonly<Record<string, readonly unknown[]>>>;
  readonly seeds: Map<number, number>;
  readonly artifacts: StoredArtifact[];
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
      this.#conditions.set(c, { metrics: new Map(), seeds: new Map(), artifacts: [] });
      this.#provenance.ensureCondition(c);
    }
  }

  add(outcome: ReplicateOutcome): void {
    for (const o of outcome.conditions) {
      let acc = this.#conditions.get(o.condition);
      if (!acc)
        this.#conditions.set(
          o.condition,
          (acc = { metrics: new Map(), seeds: new Map(), artifacts: [] }),
        );
      acc.seeds.set(o.replicate, o.seed);
      for (const a of o.artifacts) acc.artifacts.push({ replicate: o.replicate, ...a });
      if (o.error) {
        this.#errors[`${o.condition}_rep_${o.replicate}`] = rebuildError(o.error);
        continue;
      }
      acc.metrics.set(o.replicate, o.metrics);
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
      const acc = this.#conditions.get(c) as ConditionAcc;
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
        const order = [...acc.metrics.keys()].sort((a, b) => a - b);
        for (const rep of order) {
          for (const [name, values] of Object.entries(acc.metrics.get(rep) ?? {}))
            (cm.metrics[name] ??= []).push(...values);
        }
        seeds[c] = [...acc.seeds.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
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
