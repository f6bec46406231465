import {
  BASELINE_CONDITION,
  CrystallizeError,
  PipelineExecutionError,
  type Hypothesis,
  type StorageError,
} from '@crystallize/core';
import type { ReplicateOutcome, SerializedError } from '../model/outcome.js';
import type { StoredCondition } from '../storage/stored-condition.js';
import type { ConditionFingerprint } from '../model/outcome.js';
import { originalError } from '../model/serialized-error.js';
import { rebuildStorageError } from '../storage/storage-failure.js';
import { ProvenanceStore } from '../storage/provenance-store.js';
import { verifyHypothesis } from './verify-hypotheses.js';
import { ConditionMetrics, Result, type ConditionOrigin, type StoredArtifact } from './result.js';
import {
  suggestKey,
  type ConditionFailure,
  type HypothesisFailure,
  type UnusedTreatmentKey,
} from './run-health.js';

export interface ResultInput {
  readonly experiment: string;
  readonly pipelineSignature: string;
  readonly replicates: number;
  readonly conditions: readonly string[];
  readonly reused: ReadonlyMap<string, StoredCondition>;
  readonly fingerprints: Readonly<Record<string, ConditionFingerprint>>;
  readonly dir: string | undefined;
  /** `@Param` names the pipeline declares (suggestions for a mistyped treatment key). */
  readonly paramNames?: readonly string[];
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
  failed = 0;
  skipped = 0;
  /** The first failure in replicate order. */
  firstError: { replicate: number; message: string } | undefined;
  readonly treatmentKeys = new Set<string>();
  readonly readKeys = new Set<string>();
  /** Whether any replicate reported its key usage (it always does, unless none ran). */
  sawUsage = false;
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
  readonly #storageErrors: StorageError[] = [];

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
        acc.skipped += 1;
        acc.arrive(outcome.replicate, {}); // not run in this replicate (its baseline failed)
        continue;
      }
      for (const a of o.artifacts) acc.artifacts.push({ replicate: o.replicate, ...a });
      for (const e of o.storageErrors ?? []) this.#storageErrors.push(rebuildStorageError(e));
      if (o.treatmentKeys) for (const k of o.treatmentKeys) acc.treatmentKeys.add(k);
      if (o.readKeys) {
        acc.sawUsage = true;
        for (const k of o.readKeys) acc.readKeys.add(k);
      }
      if (o.error) {
        // Same thread (serial, async): the very error thrown. Across a worker: a rebuilt one.
        this.#errors[`${o.condition}_rep_${o.replicate}`] =
          originalError(o.error) ?? rebuildError(o.error);
        acc.failed += 1;
        if (acc.firstError === undefined || o.replicate < acc.firstError.replicate)
          acc.firstError = { replicate: o.replicate, message: o.error.message };
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
    const origins: Record<string, ConditionOrigin> = {};
    for (const c of input.conditions) {
      const stored = input.reused.get(c);
      origins[c] = stored ? { reused: true, fromVersion: stored.version } : { reused: false };
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
      conditions: origins,
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
    const failures = this.#conditionFailures();
    const hypothesisFailures: HypothesisFailure[] = result.metrics.hypotheses
      .filter((h) => Object.keys(h.errors).length > 0)
      .map((h) => ({ name: h.name, errors: { ...h.errors } }));
    result.failures = { conditions: failures, hypotheses: hypothesisFailures };
    result.ok = failures.length === 0 && hypothesisFailures.length === 0;
    result.addStorageErrors(this.#storageErrors);
    result.unusedTreatmentKeys = this.#unusedTreatmentKeys();
    return result;
  }

  #conditionFailures(): ConditionFailure[] {
    const out: ConditionFailure[] = [];
    for (const [condition, acc] of this.#conditions) {
      if (acc.failed === 0 && acc.skipped === 0) continue;
      out.push({
        condition,
        failed: acc.failed,
        skipped: acc.skipped,
        total: this.#input.replicates,
        firstError: acc.firstError?.message ?? 'skipped: the baseline of every replicate failed',
      });
    }
    return out;
  }

  /** Keys a treatment set that no replicate of its condition read. */
  #unusedTreatmentKeys(): UnusedTreatmentKey[] {
    const candidates = new Set(this.#input.paramNames ?? []);
    for (const acc of this.#conditions.values()) for (const k of acc.readKeys) candidates.add(k);
    const out: UnusedTreatmentKey[] = [];
    for (const [condition, acc] of this.#conditions) {
      if (!acc.sawUsage) continue;
      for (const key of acc.treatmentKeys) {
        if (acc.readKeys.has(key)) continue;
        const suggestion = suggestKey(
          key,
          [...candidates].filter((c) => !acc.treatmentKeys.has(c) || acc.readKeys.has(c)),
        );
        out.push({ treatment: condition, key, ...(suggestion ? { suggestion } : {}) });
      }
    }
    return out;
  }
}
