import {
  CacheError,
  PipelineExecutionError,
  hashValue,
  HASH_IDENTITY,
  type HashIdentity,
  type FrozenContext,
  type MetricRecord,
  type ResolvedParams,
  type Step,
} from '@crystallize/core';
import { Artifact } from '../artifacts/artifact.js';
import type { CachedStepOutput, StepOutputCache } from './step-cache.js';
import type { StepRecord } from './step-record.js';
import type { StepGraph } from './step-graph.js';
import { runStepGraph } from './dag-runner.js';

export interface RunnerOptions {
  readonly steps: readonly Step[];
  /** A branching pipeline's nodes; when set, `steps` is only their topological order. */
  readonly graph?: StepGraph | undefined;
  readonly cache: StepOutputCache | undefined;
  /** Record context reads (needs the context's onRead to push into `reads`). */
  readonly verbose: boolean;
  /** What to do when a cacheable step's output cannot be encoded. */
  readonly onUnencodable: 'error' | 'skip';
  readonly beforeStep: readonly ((step: Step, ctx: FrozenContext) => void)[];
  readonly afterStep: readonly ((
    step: Step,
    data: unknown,
    ctx: FrozenContext,
    record: StepRecord,
  ) => void)[];
}

export const NO_READS: readonly string[] = Object.freeze([]);
export const NO_WRITES: Readonly<Record<string, unknown>> = Object.freeze({});
export const NO_METRICS: readonly MetricRecord[] = Object.freeze([]);

export const NO_CHANGES: StepRecord['ctxChanges'] = Object.freeze({
  reads: NO_READS,
  wrote: NO_WRITES,
  metrics: NO_METRICS,
});

interface StepKey {
  readonly key: string;
  /** The params as recorded in provenance: one shared object per distinct value set. */
  readonly params: Readonly<Record<string, unknown>>;
}

// Keys of steps whose resolved params are all primitives, memoised per step: most calls of a
// step see the same few parameter values, and hashing them every call was the runner's main cost.
// A one-parameter step is memoised by the value itself; others by a string of all values.
const keyMemo = new WeakMap<Step, Map<unknown, StepKey>>();
const NOT_MEMOISABLE = Symbol('not memoisable');

function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === 'number' || t === 'string' || t === 'boolean' || t === 'undefined';
}

function memoKeyOf(identity: Readonly<Record<string, unknown>>): unknown {
  let count = 0;
  let single: unknown;
  let composite = '';
  for (const k in identity) {
    const v = identity[k];
    if (!isPrimitive(v)) return NOT_MEMOISABLE;
    count += 1;
    single = v;
    composite += `${k}:${typeof v}:${String(v)}|`;
  }
  return count === 1 ? single : composite;
}

/**
 * Params as provenance records them: plain data. A value that names its own identity (an
 * Artifact, via HASH_IDENTITY) is recorded as that identity, not as a live object with functions.
 */
function recordedParams(
  identity: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  let out: Record<string, unknown> | undefined;
  for (const k in identity) {
    const v = identity[k] as Partial<HashIdentity> | null;
    if (typeof v === 'object' && v !== null && typeof v[HASH_IDENTITY] === 'function') {
      (out ??= { ...identity })[k] = (v as HashIdentity)[HASH_IDENTITY]();
    }
  }
  return out ?? identity;
}

/** Hash of step class, version, code and the resolved parameter values: the cache folder. */
export function stepKeyOf(step: Step, identity: Readonly<Record<string, unknown>>): StepKey {
  const memoKey = memoKeyOf(identity);
  let memo = keyMemo.get(step);
  if (memoKey !== NOT_MEMOISABLE) {
    const hit = memo?.get(memoKey);
    if (hit) return hit;
  }
  let key: StepKey;
  try {
    key = {
      key: hashValue({ step: step.name, stepHash: step.stepHash, params: identity }),
      params: recordedParams(identity),
    };
  } catch (e) {
    if (!(e instanceof CacheError)) throw e;
    return { key: UNHASHABLE, params: identity }; // e.g. a function as an explicit param
  }
  if (memoKey !== NOT_MEMOISABLE) {
    if (!memo) keyMemo.set(step, (memo = new Map()));
    if (memo.size < 1024) memo.set(memoKey, key);
  }
  return key;
}

/** Stands for the hash of a value that cannot be hashed (a live object holding functions, say). */
export const UNHASHABLE = 'unhashable';

/** Provenance hashes every value a step passes on; one that cannot be hashed must not fail the step. */
export function provenanceHash(value: unknown): string {
  try {
    return hashValue(value);
  } catch (e) {
    if (e instanceof CacheError) return UNHASHABLE;
    throw e;
  }
}

export function bindArtifacts(
  resolved: ResolvedParams,
  ctx: FrozenContext,
  step: string,
): ResolvedParams {
  let values: Record<string, unknown> | undefined;
  for (const k in resolved.values) {
    const v = resolved.values[k];
    if (v instanceof Artifact) (values ??= { ...resolved.values })[k] = v.bind(ctx, step);
  }
  return values ? { ...resolved, values } : resolved;
}

export function restore(entry: CachedStepOutput, ctx: FrozenContext, step: string): void {
  for (const m of entry.metrics) ctx.metrics.add(m.name, m.value, m.tags);
  for (const a of entry.artifacts) ctx.artifacts.add(a.name, a.data, step);
  for (const [k, v] of Object.entries(entry.context ?? {})) if (!ctx.has(k)) ctx.add(k, v);
}

/**
 * Runs the steps of one replicate and condition in order, with caching and provenance.
 * A failing step surfaces as {@link PipelineExecutionError} naming it.
 */
export async function runPipeline(
  options: RunnerOptions,
  input: unknown,
  ctx: FrozenContext,
  reads: string[] | undefined,
): Promise<{ output: unknown; records: StepRecord[] }> {
  // Dispatched once per run on the pipeline's shape: the linear loop below stays as it was.
  if (options.graph) return runStepGraph(options, options.graph, input, ctx, reads);
  const records: StepRecord[] = [];
  let data = input;
  let dataHash = provenanceHash(input);
  for (const step of options.steps) {
    const name = step.name;
    ctx.enterStep(name);
    if (reads) reads.length = 0;
    try {
      for (const hook of options.beforeStep) hook(step, ctx);
      const resolved = bindArtifacts(step.resolveParams(ctx), ctx, name);
      const { key: stepKey, params } = stepKeyOf(step, resolved.identity);
      const keysBefore = ctx.size;
      const metricsBefore = ctx.metrics.count;
      const artifactsBefore = ctx.artifacts.size;
      let cacheHit = false;
      let output: unknown;
      const hashable = dataHash !== UNHASHABLE && stepKey !== UNHASHABLE;
      const useCache = step.cacheable && options.cache !== undefined && hashable;
      if (step.cacheable && !hashable) {
        ctx.logger.warn(
          `step '${name}': its input or parameters cannot be hashed, so it runs uncached`,
        );
      }
      const cached = useCache ? await options.cache?.get(stepKey, dataHash) : undefined;
      if (cached) {
        restore(cached, ctx, name);
        output = cached.output;
        cacheHit = true;
      } else {
        // invoke, not call: a synchronous step's result is used as is, without a promise.
        output = step.invoke(data, ctx, resolved);
        if (output instanceof Promise) output = await output;
      }
      const readKeys = reads ? [...new Set(reads)] : NO_READS;
      const wrote = ctx.size === keysBefore ? NO_WRITES : newKeys(ctx, keysBefore);
      const metrics =
        ctx.metrics.count === metricsBefore ? NO_METRICS : ctx.metrics.recordsSince(metricsBefore);
      const outputHash = cached?.outputHash ?? provenanceHash(output);
      if (!cacheHit && useCache && options.cache) {
        const artifacts = ctx.artifacts.entries().slice(artifactsBefore);
        try {
          await options.cache.set(stepKey, dataHash, {
            output,
            metrics,
            artifacts,
            context: wrote,
            outputHash,
          });
        } catch (e) {
          if (!(e instanceof CacheError) || options.onUnencodable === 'error') throw e;
          ctx.logger.warn(`step '${name}': output not cached (${e.message}); it runs uncached`);
        }
      }
      const record: StepRecord = {
        step: name,
        params,
        stepHash: stepKey,
        inputHash: dataHash,
        outputHash,
        cacheHit,
        ctxChanges:
          readKeys === NO_READS && wrote === NO_WRITES && metrics === NO_METRICS
            ? NO_CHANGES
            : { reads: readKeys, wrote, metrics },
      };
      records.push(record);
      for (const hook of options.afterStep) hook(step, output, ctx, record);
      data = output;
      dataHash = outputHash;
    } catch (cause) {
      ctx.enterStep(undefined);
      if (cause instanceof PipelineExecutionError) throw cause;
      throw new PipelineExecutionError(name, cause);
    }
  }
  ctx.enterStep(undefined);
  return { output: data, records };
}

export function newKeys(ctx: FrozenContext, before: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ctx.keys().slice(before)) if (key !== 'step_name') out[key] = ctx.get(key);
  return out;
}
