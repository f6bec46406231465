import { BASELINE_CONDITION, type Hypothesis } from '@crystallize/core';
import type { ReplicateOutcome, SerializedError } from '../execution/replicate-outcome.js';
import type { StepRecord } from '../pipeline/step-record.js';
import type { StoredCondition } from '../resume/stored-condition.js';
import type { ConditionFingerprint } from '../resume/fingerprint.js';
import { ConditionMetrics, HypothesisResult, Result, type StoredArtifact } from './result.js';
import { PipelineExecutionError, CrystallizeError } from '@crystallize/core';

export interface ResultInput {
  readonly experiment: string;
  readonly pipelineSignature: string;
  readonly replicates: number;
  readonly conditions: readonly string[];
  readonly outcomes: readonly ReplicateOutcome[];
  readonly reused: ReadonlyMap<string, StoredCondition>;
  readonly hypotheses: readonly Hypothesis<unknown>[];
  readonly fingerprints: Readonly<Record<string, ConditionFingerprint>>;
  readonly dir: string | undefined;
}

function rebuildError(e: SerializedError): Error {
  let err: Error;
  if (e.stepName !== undefined) {
    const cause = Object.assign(
      new Error(e.message.replace(/^Step '.*?' failed(?: \(.*?\))?: /, '')),
      { name: 'Error' },
    );
    err = new PipelineExecutionError(e.stepName, cause);
  } else {
    err = new CrystallizeError(e.message);
  }
  if (e.stack) err.stack = e.stack;
  return err;
}

/** Aggregates replicate outcomes (and reused stored conditions) into a {@link Result}. */
export function buildResult(input: ResultInput): Result {
  const result = new Result();
  result.experiment = input.experiment;
  result.dir = input.dir;
  const metrics: Record<string, Record<string, unknown[]>> = {};
  const seeds: Record<string, number[]> = {};
  const ctxChanges: Record<string, Record<number, readonly StepRecord[]>> = {};
  const artifacts: Record<string, StoredArtifact[]> = {};
  for (const c of input.conditions) {
    metrics[c] = {};
    seeds[c] = [];
    ctxChanges[c] = {};
    artifacts[c] = [];
  }
  const sorted = [...input.outcomes].sort((a, b) => a.replicate - b.replicate);
  for (const rep of sorted) {
    for (const o of rep.conditions) {
      (seeds[o.condition] ??= []).push(o.seed);
      if (o.error) {
        result.errors[`${o.condition}_rep_${o.replicate}`] = rebuildError(o.error);
        continue;
      }
      const m = (metrics[o.condition] ??= {});
      for (const [name, values] of Object.entries(o.metrics)) (m[name] ??= []).push(...values);
      (ctxChanges[o.condition] ??= {})[o.replicate] = o.records;
      for (const a of o.artifacts)
        (artifacts[o.condition] ??= []).push({ replicate: o.replicate, ...a });
    }
  }
  for (const [c, stored] of input.reused) {
    metrics[c] = Object.fromEntries(Object.entries(stored.metrics).map(([k, v]) => [k, [...v]]));
    seeds[c] = [...stored.seeds];
    ctxChanges[c] = Object.fromEntries(
      Object.entries(stored.provenance).map(([k, v]) => [Number(k), v]),
    );
    artifacts[c] = [...stored.artifacts];
  }
  for (const c of input.conditions) {
    const cm = new ConditionMetrics();
    cm.metrics = metrics[c] ?? {};
    if (c === BASELINE_CONDITION) result.metrics.baseline = cm;
    else result.metrics.treatments[c] = cm;
  }
  result.provenance = {
    pipelineSignature: input.pipelineSignature,
    replicates: input.replicates,
    seeds,
    ctxChanges,
  };
  result.artifacts = artifacts;
  result.fingerprints = Object.fromEntries(
    Object.entries(input.fingerprints).map(([k, v]) => [
      k,
      { hash: v.hash, parts: { ...v.parts } },
    ]),
  );
  result.metrics.hypotheses = input.hypotheses.map((h) =>
    verifyHypothesis(h, result, input.conditions),
  );
  return result;
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
    out.ranking = h.rankTreatments(out.results);
  } catch (e) {
    out.errors['ranking'] = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return out;
}
