import {
  CacheError,
  HASH_IDENTITY,
  hashValue,
  type FrozenContext,
  type HashIdentity,
  type MetricRecord,
  type ResolvedParams,
  type Step,
} from '@crystallize/core';
import { CacheWriteError } from '@crystallize/cache';
import { isArtifactLike } from '../model/plugin-kinds.js';
import type { RunnerOptions } from './runner-options.js';
import { recordCacheWriteFailure, type CachedStepOutput } from './step-cache.js';
import type { StepRecord } from '../model/step-record.js';

/*
 * One cohesive algorithm (kept in one file on purpose, the hot path of every run): one step call
 * with everything around it — hooks, parameter resolution, the cache, provenance —
 * shared by the linear runner and the branching (DAG) runner.
 */

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
// The memo must be exactly as discriminating as hashValue, or two parameter sets would share a
// cache folder. It is a trie keyed by each parameter's name, then its value: Map keys compare by
// SameValueZero, which keeps apart everything hashValue keeps apart (1 vs '1' vs 1n, null vs
// undefined, a missing parameter vs one set to undefined, any two strings) and, like hashValue,
// treats every NaN as one value. The one pair SameValueZero merges and hashValue does not is
// 0 and -0, so -0 gets a key of its own. Names and values are Map keys, never joined into a
// string, so no value can spell another parameter set.
interface MemoNode {
  readonly children: Map<unknown, MemoNode>;
  key?: StepKey;
}

interface StepMemo {
  readonly root: MemoNode;
  /** Keys stored: the memo stops growing at MEMO_LIMIT (calls beyond it are hashed). */
  size: number;
}

const MEMO_LIMIT = 1024;
const keyMemo = new WeakMap<Step, StepMemo>();
const NEGATIVE_ZERO = Symbol('-0');

function isMemoisable(v: unknown): boolean {
  const t = typeof v;
  return (
    v === null ||
    t === 'number' ||
    t === 'string' ||
    t === 'boolean' ||
    t === 'undefined' ||
    t === 'bigint'
  );
}

function childOf(node: MemoNode, key: unknown, grow: boolean): MemoNode | undefined {
  let child = node.children.get(key);
  if (child === undefined && grow) node.children.set(key, (child = { children: new Map() }));
  return child;
}

/**
 * The memo node of a parameter set, or undefined when a value is not a primitive (or the node is
 * absent and `grow` is false).
 */
function memoNodeOf(
  memo: StepMemo,
  identity: Readonly<Record<string, unknown>>,
  grow: boolean,
): MemoNode | undefined {
  let node: MemoNode | undefined = memo.root;
  for (const k in identity) {
    const v = identity[k];
    if (!isMemoisable(v)) return undefined;
    node = childOf(node, k, grow);
    if (node === undefined) return undefined;
    node = childOf(node, v === 0 && 1 / v < 0 ? NEGATIVE_ZERO : v, grow);
    if (node === undefined) return undefined;
  }
  return node;
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
  let memo = keyMemo.get(step);
  if (memo === undefined) keyMemo.set(step, (memo = { root: { children: new Map() }, size: 0 }));
  const node = memoNodeOf(memo, identity, memo.size < MEMO_LIMIT);
  if (node?.key !== undefined) return node.key;
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
  if (node !== undefined) {
    node.key = key;
    memo.size += 1;
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
    if (isArtifactLike(v)) (values ??= { ...resolved.values })[k] = v.bind(ctx, step);
  }
  return values ? { ...resolved, values } : resolved;
}

export function restore(entry: CachedStepOutput, ctx: FrozenContext, step: string): void {
  for (const m of entry.metrics) ctx.metrics.add(m.name, m.value, m.tags);
  for (const a of entry.artifacts) ctx.artifacts.add(a.name, a.data, step);
  for (const [k, v] of Object.entries(entry.context ?? {})) if (!ctx.has(k)) ctx.add(k, v);
}

export function newKeys(ctx: FrozenContext, before: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ctx.keys().slice(before)) if (key !== 'step_name') out[key] = ctx.get(key);
  return out;
}

/**
 * Where executeStep leaves the step's output (one object per pipeline run, not per step), and
 * the runner's clock: `performance.now()` at the last call boundary. A call's end is the next
 * call's start, so timing every call costs one clock read per boundary, not two per call.
 */
export interface OutputSlot {
  output: unknown;
  /** performance.now() when the previous call ended (or the pipeline began). */
  clock: number;
}

/** What one call was set up with, shared by its synchronous and cached paths. */
interface Call {
  readonly step: Step;
  readonly name: string;
  readonly dataHash: string;
  readonly stepKey: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly keysBefore: number;
  readonly metricsBefore: number;
  readonly artifactsBefore: number;
}

/**
 * Runs one step on `data` in `ctx`: hooks, resolved parameters, cache lookup or call, cache
 * write, provenance. Returns the step's record — synchronously when the step is synchronous and
 * not cached, so the common case costs no promise — and leaves its output in `slot`.
 */
export function executeStep(
  options: RunnerOptions,
  step: Step,
  name: string,
  data: unknown,
  dataHash: string,
  ctx: FrozenContext,
  reads: string[] | undefined,
  slot: OutputSlot,
): StepRecord | Promise<StepRecord> {
  for (const hook of options.beforeStep) hook(step, ctx);
  const resolved = bindArtifacts(step.resolveParams(ctx), ctx, name);
  const { key: stepKey, params } = stepKeyOf(step, resolved.identity);
  const call: Call = {
    step,
    name,
    dataHash,
    stepKey,
    params,
    keysBefore: ctx.size,
    metricsBefore: ctx.metrics.count,
    artifactsBefore: ctx.artifacts.size,
  };
  const hashable = dataHash !== UNHASHABLE && stepKey !== UNHASHABLE;
  if (step.cacheable && !hashable) {
    ctx.logger.warn(
      `step '${name}': its input or parameters cannot be hashed, so it runs uncached`,
    );
  }
  if (step.cacheable && options.cache !== undefined && hashable) {
    return executeCached(options, options.cache, call, data, ctx, reads, slot, resolved);
  }
  // invoke, not call: a synchronous step's result is used as is, without a promise.
  const output = step.invoke(data, ctx, resolved);
  if (output instanceof Promise) {
    return output.then((o: unknown) =>
      complete(options, call, ctx, slot, recordOf(call, ctx, reads, o, undefined), o),
    );
  }
  return complete(options, call, ctx, slot, recordOf(call, ctx, reads, output, undefined), output);
}

async function executeCached(
  options: RunnerOptions,
  cache: NonNullable<RunnerOptions['cache']>,
  call: Call,
  data: unknown,
  ctx: FrozenContext,
  reads: string[] | undefined,
  slot: OutputSlot,
  resolved: ResolvedParams,
): Promise<StepRecord> {
  const cached = await cache.get(call.stepKey, call.dataHash);
  let output: unknown;
  if (cached) {
    restore(cached, ctx, call.name);
    output = cached.output;
  } else {
    output = call.step.invoke(data, ctx, resolved);
    if (output instanceof Promise) output = await output;
  }
  const record = recordOf(call, ctx, reads, output, cached);
  if (!cached) {
    try {
      await cache.set(call.stepKey, call.dataHash, {
        output,
        metrics: record.ctxChanges.metrics,
        artifacts: ctx.artifacts.entries().slice(call.artifactsBefore),
        context: record.ctxChanges.wrote,
        outputHash: record.outputHash,
      });
    } catch (e) {
      if (isCacheWriteError(e) && cache.onWriteError !== 'fail') {
        // An unwritable cache folder: the step's result stands; the run warns once.
        recordCacheWriteFailure(ctx, e.message);
        return complete(options, call, ctx, slot, record, output);
      }
      if (!(e instanceof CacheError) || options.onUnencodable === 'error') throw e;
      ctx.logger.warn(`step '${call.name}': output not cached (${e.message}); it runs uncached`);
    }
  }
  return complete(options, call, ctx, slot, record, output);
}

/** The provenance of a finished call. */
function recordOf(
  call: Call,
  ctx: FrozenContext,
  reads: string[] | undefined,
  output: unknown,
  cached: CachedStepOutput | undefined,
): StepRecord {
  const readKeys = reads ? [...new Set(reads)] : NO_READS;
  const wrote = ctx.size === call.keysBefore ? NO_WRITES : newKeys(ctx, call.keysBefore);
  const metrics =
    ctx.metrics.count === call.metricsBefore
      ? NO_METRICS
      : ctx.metrics.recordsSince(call.metricsBefore);
  const record: StepRecord = {
    step: call.name,
    params: call.params,
    cacheKey: call.stepKey,
    inputHash: call.dataHash,
    outputHash: cached?.outputHash ?? provenanceHash(output),
    cacheHit: cached !== undefined,
    // Set when the call completes (complete()); present from the start so every record has one shape.
    durationMs: 0,
    ctxChanges:
      readKeys === NO_READS && wrote === NO_WRITES && metrics === NO_METRICS
        ? NO_CHANGES
        : { reads: readKeys, wrote, metrics },
  };
  return record;
}

function complete(
  options: RunnerOptions,
  call: Call,
  ctx: FrozenContext,
  slot: OutputSlot,
  record: StepRecord,
  output: unknown,
): StepRecord {
  // The call's wall time: hooks, parameters, cache lookup or the step, cache write. Never hashed.
  // The slot's clock still holds this call's start (nothing else moves it during a call); the
  // start is not copied into the call, where a double would cost an allocation per call.
  const now = performance.now();
  (record as { durationMs: number }).durationMs = now - slot.clock;
  slot.clock = now;
  for (const hook of options.afterStep) hook(call.step, output, ctx, record);
  slot.output = output;
  return record;
}

/** A cache folder that could not be written (from this or another copy of the framework). */
function isCacheWriteError(e: unknown): e is Error {
  return e instanceof CacheWriteError || (e instanceof Error && e.name === 'CacheWriteError');
}
