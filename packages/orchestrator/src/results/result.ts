import 'reflect-metadata';
import {
  PipelineExecutionError,
  CrystallizeError,
  MissingMetricError,
  type StorageError,
} from '@crystallize/core';
import { loadClassTransformer } from '@crystallize/core/internal';
import { writeResultReport, type ToReportOptions } from './report-hook.js';
import type { ArtifactContentType } from '../artifacts/content-type.js';
import type { SerializedError } from '../model/outcome.js';
import { readStepRecord, type StepRecord } from '../model/step-record.js';
import type { StoredConditionSummary } from '../storage/stored-condition.js';
import { printTree } from './print-tree.js';
import type { ConditionOrigin, Provenance } from './provenance.js';
import type { RunFailures, UnusedTreatmentKey } from './run-health.js';
import type { ProvenanceStore } from '../storage/provenance-store.js';
import { decodeStored, encodeStored } from '../storage/stored-json.js';
import {
  rebuildStorageError,
  serializeStorageError,
  type SerializedStorageError,
} from '../storage/storage-failure.js';

import {
  ConditionMetrics,
  ExperimentMetrics,
  HypothesisResult,
  type HypothesisTreatmentSummary,
} from './experiment-metrics.js';

export { ConditionMetrics, ExperimentMetrics, HypothesisResult, type HypothesisTreatmentSummary };

export type { ConditionOrigin, Provenance };

export interface StoredArtifact {
  readonly replicate: number;
  readonly name: string;
  readonly step: string;
  /** Relative to the run folder. */
  readonly path: string;
  /** How the file was written (text, bytes or json); the default loader reads it back so. */
  readonly contentType?: ArtifactContentType;
}

function toError(e: SerializedError): Error {
  const err =
    e.stepName !== undefined
      ? new PipelineExecutionError(
          e.stepName,
          Object.assign(new Error(e.message), { name: e.name }),
        )
      : new CrystallizeError(e.message);
  if (e.stepName !== undefined) Object.defineProperty(err, 'message', { value: e.message });
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * What a run produced: metrics per condition, hypothesis results and rankings, errors per
 * replicate, provenance, and where artifacts were stored.
 */
export class Result {
  experiment = '';
  metrics: ExperimentMetrics = new ExperimentMetrics();
  /** `{ 'baseline_rep_2': Error, 'double_rep_0': Error }` */
  errors: Record<string, Error> = {};
  provenance: Provenance = { pipelineSignature: '', replicates: 0, seeds: {}, ctxChanges: {} };
  /** Artifact files per condition. */
  artifacts: Record<string, StoredArtifact[]> = {};
  /** The folder results were stored in, if an ArtifactPlugin ran. */
  dir: string | undefined = undefined;
  /** Fingerprints per condition (resume compares them). */
  fingerprints: Record<string, { hash: string; parts: Record<string, string> }> = {};
  /**
   * False when any replicate failed (or was skipped because its baseline failed) or any
   * hypothesis could not be tested: check it before trusting the numbers. See `failures`.
   */
  ok = true;
  /** What failed: per condition (failed/skipped/total, first error) and per hypothesis. */
  failures: RunFailures = { conditions: [], hypotheses: [] };
  /** Treatment keys no step read (`@Param` or `ctx.get`), with a nearest-name suggestion. */
  unusedTreatmentKeys: UnusedTreatmentKey[] = [];
  /**
   * True when the run was stopped (its `signal` or `drain` aborted, e.g. Ctrl-C) before every
   * replicate ran: the metrics cover the replicates that finished (stored, for `resume`), and
   * `ok` is false.
   */
  readonly aborted: boolean = false;
  /**
   * Results that could not be stored (a read-only or full results folder, a file where a folder
   * must be): the metrics here are complete, but the folder is not; `ok` is then false. In
   * `toJSON()`: `[{ name, message, path, operation, code }]`.
   */
  readonly storageErrors: readonly StorageError[] = [];

  getHypothesis(name: string): HypothesisResult | undefined {
    return this.metrics.hypotheses.find((h) => h.name === name);
  }

  /** Metrics of one condition ('baseline' or a treatment name). */
  conditionMetrics(condition: string): Record<string, unknown[]> | undefined {
    return condition === 'baseline'
      ? this.metrics.baseline.metrics
      : this.metrics.treatments[condition]?.metrics;
  }

  /**
   * Writes this run's HTML report (SPEC §12: one self-contained file — metric plots, hypothesis
   * tables and forest plots, power estimates, step times, errors) and returns its absolute path.
   * Loaded from @crystallize/report on first use.
   * @example const file = await result.toReport({ file: 'report.html' });
   */
  toReport(options: ToReportOptions<Result>): Promise<string> {
    return writeResultReport(this, options);
  }

  /**
   * A numeric metric of one condition (`'baseline'` or a treatment name), one value per recorded
   * sample in replicate order, typed `number[]`. Throws naming the conditions or metrics there
   * are when either is missing, and when a value is not a number (read such metrics with
   * `conditionMetrics`).
   * @example const sums: number[] = result.metric('sum', 'double');
   */
  metric(name: string, condition = 'baseline'): number[] {
    const metrics = this.conditionMetrics(condition);
    if (!metrics) {
      const known = ['baseline', ...Object.keys(this.metrics.treatments)];
      throw new CrystallizeError(
        `result.metric('${name}', '${condition}'): the run has no condition '${condition}' (conditions: ${known.map((c) => `'${c}'`).join(', ')}).`,
      );
    }
    const values = metrics[name];
    if (!values) {
      throw new MissingMetricError(name, Object.keys(metrics), `condition '${condition}'`);
    }
    const numbers: number[] = [];
    for (const [i, v] of values.entries()) {
      if (typeof v !== 'number') {
        throw new CrystallizeError(
          `result.metric('${name}', '${condition}'): value ${i} is ${JSON.stringify(v)}, not a number. Read metrics that are not numbers with result.conditionMetrics('${condition}').`,
        );
      }
      numbers.push(v);
    }
    return numbers;
  }

  /**
   * A readable tree of what ran. `format` orders the levels `treatment`, `replicate`, `step`
   * (any order, any subset) with `action` optionally last.
   * @example result.printTree('treatment > replicate > step > action')
   */
  printTree(format = 'treatment > replicate > step > action'): string {
    return printTree(this.provenance, format);
  }

  /** @internal The run stopped before every replicate ran. */
  markAborted(): void {
    (this as { aborted: boolean }).aborted = true;
    this.ok = false;
  }

  /** @internal Results could not be stored: keep what failed, and the run is not ok. */
  addStorageErrors(errors: readonly StorageError[]): void {
    if (errors.length === 0) return;
    (this as { storageErrors: readonly StorageError[] }).storageErrors = [
      ...this.storageErrors,
      ...errors,
    ];
    this.ok = false;
  }

  /** @internal What the ArtifactPlugin stores for one condition. */
  storedCondition(condition: string, run: { readonly replicates: number }): StoredConditionSummary {
    const fp = this.fingerprints[condition];
    const errors: Record<string, SerializedError> = {};
    for (const [key, e] of Object.entries(this.errors)) {
      if (key.startsWith(`${condition}_rep_`)) {
        errors[key] = {
          name: e.name,
          message: e.message,
          ...(e.stack ? { stack: e.stack } : {}),
          ...(e instanceof PipelineExecutionError ? { stepName: e.stepName } : {}),
        };
      }
    }
    return {
      condition,
      fingerprint: fp?.hash ?? '',
      fingerprintParts: fp?.parts ?? {},
      replicates: run.replicates,
      seeds: this.provenance.seeds[condition] ?? [],
      metrics: this.conditionMetrics(condition) ?? {},
      errors,
      artifacts: this.artifacts[condition] ?? [],
    };
  }

  /** @internal `provenance.jsonl` lines of one condition (for storage). */
  provenanceLines(condition: string): Iterable<string> {
    return this.#provenanceStore?.lines(condition) ?? [];
  }

  /** @internal The replicates of a condition that have step records (for storage). */
  provenanceReplicates(condition: string): readonly number[] {
    return this.#provenanceStore?.replicates(condition) ?? [];
  }

  /** @internal The column store behind `provenance.ctxChanges` (set by the run). */
  attachProvenance(store: ProvenanceStore): void {
    this.#provenanceStore = store;
  }

  #provenanceStore: ProvenanceStore | undefined;

  toJSON(): Record<string, unknown> {
    return encodeStored(transformer().instanceToPlain(this)) as Record<string, unknown>;
  }

  static fromJSON(json: string | Record<string, unknown>): Result {
    const plain = decodeStored(typeof json === 'string' ? JSON.parse(json) : json) as {
      provenance?: { ctxChanges?: Record<string, Record<string, unknown[]>> };
    };
    // Results saved before StepRecord.stepHash was renamed cacheKey read back with the new name.
    for (const reps of Object.values(plain.provenance?.ctxChanges ?? {}))
      for (const [r, records] of Object.entries(reps))
        reps[r] = records.map((rec) => readStepRecord(rec as StepRecord));
    return transformer().plainToInstance(Result, plain as Record<string, unknown>);
  }
}

let described = false;

/**
 * class-transformer with the (de)serialisation rules of Result and ExperimentMetrics registered.
 * Both are loaded and registered on first use, not at import (~15 ms of a fresh process's start):
 * the rules are the decorators these classes would carry, applied by hand.
 */
function transformer(): ReturnType<typeof loadClassTransformer> {
  const ct = loadClassTransformer();
  if (described) return ct;
  described = true;
  const { Expose, Transform, Type, plainToInstance } = ct;
  const em = ExperimentMetrics.prototype;
  Type(() => ConditionMetrics)(em, 'baseline');
  Transform(
    ({ value }) =>
      Object.fromEntries(
        Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [
          k,
          plainToInstance(ConditionMetrics, v),
        ]),
      ),
    { toClassOnly: true },
  )(em, 'treatments');
  Type(() => HypothesisResult)(em, 'hypotheses');
  const r = Result.prototype;
  Type(() => ExperimentMetrics)(r, 'metrics');
  // Decorators apply bottom-up: the toPlainOnly rule was registered first.
  Transform(
    ({ value }) =>
      Object.fromEntries(
        Object.entries((value ?? {}) as Record<string, Error>).map(([k, e]) => [
          k,
          {
            name: e.name,
            message: e.message,
            stack: e.stack,
            ...(e instanceof PipelineExecutionError ? { stepName: e.stepName } : {}),
          },
        ]),
      ),
    { toPlainOnly: true },
  )(r, 'errors');
  Transform(
    ({ value }) =>
      Object.fromEntries(
        Object.entries((value ?? {}) as Record<string, SerializedError>).map(([k, v]) => [
          k,
          toError(v),
        ]),
      ),
    { toClassOnly: true },
  )(r, 'errors');
  Transform(
    ({ value }) =>
      ((value ?? []) as StorageError[]).map((e) => ({
        name: e.name,
        ...serializeStorageError(e),
      })),
    { toPlainOnly: true },
  )(r, 'storageErrors');
  Transform(
    ({ value }) => ((value ?? []) as SerializedStorageError[]).map((e) => rebuildStorageError(e)),
    { toClassOnly: true },
  )(r, 'storageErrors');
  Expose()(r, 'dir');
  return ct;
}
