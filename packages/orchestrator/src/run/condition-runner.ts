import {
  BASELINE_CONDITION,
  ContextMutationError,
  FrozenContext,
  PipelineExecutionError,
  RESERVED_CONTEXT_KEYS,
  ValidationError,
  type DataSource,
  type Treatment,
} from '@crystallize/core';
import { contentTypeOf } from '../artifacts/content-type.js';
import { artifactRelPath } from '../storage/run-layout.js';
import type { ConditionOutcome, ReplicateOutcome } from '../model/outcome.js';
import { runPipeline } from '../pipeline/pipeline-runner.js';
import type { ReplicateEnv } from '../model/experiment-model.js';
import { loggedError, serializeError } from '../model/serialized-error.js';
import { takeCacheWriteFailure } from '../pipeline/step-cache.js';
import { serializeStorageError, takeStorageFailures } from '../storage/storage-failure.js';

export type { ReplicateEnv };

const RESERVED: ReadonlySet<string> = new Set(RESERVED_CONTEXT_KEYS);

/** The label a data-source failure carries: `datasource`, or `datasource (Csv)` for a named one. */
function datasourceLabel(ds: DataSource): string {
  return ds.name === 'datasource' || ds.name === '' ? 'datasource' : `datasource (${ds.name})`;
}

function contextFor(
  env: ReplicateEnv,
  replicate: number,
  condition: string,
  seed: number,
  treatment: Treatment | undefined,
  reads: string[] | undefined,
  readKeys: Set<string> | undefined,
): FrozenContext {
  const initial: Record<string, unknown> = { ...env.initialCtx };
  if (treatment?.values) Object.assign(initial, treatment.values);
  initial['replicate'] = replicate;
  initial['condition'] = condition;
  initial['seed_used'] = seed;
  // No rng given: the context seeds one from seed_used on first use (most steps never ask).
  const ctx = new FrozenContext(initial, {
    logger: env.logger,
    ...onReadFor(reads, readKeys),
  });
  if (treatment && !treatment.values) {
    try {
      treatment.apply(ctx);
    } catch (e) {
      // Map treatments are checked by validate(); a function treatment shows its keys only here.
      if (e instanceof ContextMutationError && e.key !== undefined && RESERVED.has(e.key)) {
        throw new ValidationError(
          reservedKeyProblem(`treatment '${treatment.name}'`, e.key),
          `Treatment '${treatment.name}'`,
        );
      }
      throw e;
    }
  }
  return ctx;
}

/** The message for a treatment or initial context that sets a key the framework writes. */
export function reservedKeyProblem(who: string, key: string): string {
  return (
    `${who} sets reserved key '${key}': the framework sets ${RESERVED_CONTEXT_KEYS.map((k) => `'${k}'`).join(', ')} ` +
    `itself and would overwrite it. Rename the key (e.g. '${key}_value').`
  );
}

/** The context's read observer: provenance reads (verbose), treatment-key use, both or none. */
function onReadFor(
  reads: string[] | undefined,
  readKeys: Set<string> | undefined,
): { onRead?: (key: string) => void } {
  if (reads && readKeys)
    return {
      onRead: (k) => {
        reads.push(k);
        readKeys.add(k);
      },
    };
  if (reads) return { onRead: (k) => void reads.push(k) };
  if (readKeys) return { onRead: (k) => void readKeys.add(k) };
  return {};
}

/** Which context keys this condition's treatment set and which keys were read (unused-key check). */
function usage(
  setKeys: readonly string[],
  readKeys: ReadonlySet<string> | undefined,
): Pick<ConditionOutcome, 'treatmentKeys' | 'readKeys'> {
  if (!readKeys || setKeys.length === 0) return {};
  return { treatmentKeys: setKeys, readKeys: [...readKeys].filter((k) => !RESERVED.has(k)) };
}

/** Keys a treatment put into the context: its map's keys, or what its function added. */
function treatmentKeys(
  env: ReplicateEnv,
  treatment: Treatment | undefined,
  ctx: FrozenContext,
): string[] {
  if (!treatment) return [];
  if (treatment.values) return Object.keys(treatment.values);
  const before = new Set([...Object.keys(env.initialCtx), ...RESERVED_CONTEXT_KEYS]);
  return ctx.keys().filter((k) => !before.has(k));
}

function artifactsOf(
  env: ReplicateEnv,
  ctx: FrozenContext,
  replicate: number,
  condition: string,
): ConditionOutcome['artifacts'] {
  return ctx.artifacts.entries().map((a) => ({
    name: a.name,
    step: a.step ?? '',
    path: env.hasRunDir ? artifactRelPath(replicate, condition, a.step ?? '', a.name) : '',
    contentType: contentTypeOf(a.data),
  }));
}

/** What went wrong beside the steps: artifact files not stored, a cache not written. */
function sideProblems(
  ctx: FrozenContext | undefined,
): Pick<ConditionOutcome, 'storageErrors' | 'cacheWriteFailure'> {
  if (!ctx) return {};
  const storage = takeStorageFailures(ctx);
  const cache = takeCacheWriteFailure(ctx);
  return {
    ...(storage.length ? { storageErrors: storage.map(serializeStorageError) } : {}),
    ...(cache !== undefined ? { cacheWriteFailure: cache } : {}),
  };
}

/** Runs one condition of one replicate; never throws — a failure becomes `outcome.error`. */
export async function runCondition(
  env: ReplicateEnv,
  replicate: number,
  condition: string,
  treatment: Treatment | undefined,
): Promise<ConditionOutcome> {
  const seed = env.seedPlugin ? env.seedPlugin.seedFor(replicate) : replicate;
  const reads = env.runner.verbose ? [] : undefined;
  // Only a treated condition tracks its reads (the baseline sets no keys to check).
  const readKeys = treatment ? new Set<string>() : undefined;
  let ctx: FrozenContext | undefined;
  let setKeys: string[] = [];
  try {
    ctx = contextFor(env, replicate, condition, seed, treatment, reads, readKeys);
    setKeys = treatmentKeys(env, treatment, ctx);
    env.seedPlugin?.apply(seed);
    for (const hook of env.beforeReplicate) await hook(ctx);
    let data: unknown;
    try {
      data = await env.datasource.fetch(ctx);
    } catch (cause) {
      throw new PipelineExecutionError(datasourceLabel(env.datasource), cause);
    }
    const { records } = await runPipeline(env.runner, data, ctx, reads);
    return {
      condition,
      replicate,
      seed,
      metrics: ctx.metrics.toObject(),
      records,
      artifacts: artifactsOf(env, ctx, replicate, condition),
      ...usage(setKeys, readKeys),
      ...sideProblems(ctx),
    };
  } catch (error) {
    env.logger.warn(
      {
        condition,
        replicate,
        err: loggedError(error),
        ...(error instanceof PipelineExecutionError ? { step: error.stepName } : {}),
      },
      `${condition} replicate ${replicate} failed: ${(error as Error).message}`,
    );
    return {
      condition,
      replicate,
      seed,
      metrics: ctx?.metrics.toObject() ?? {},
      records: [],
      // Files a step wrote before the failure are on disk: list them too.
      artifacts: ctx ? artifactsOf(env, ctx, replicate, condition) : [],
      error: serializeError(error),
      ...usage(setKeys, readKeys),
      ...sideProblems(ctx),
    };
  }
}

/** Runs the baseline, then each treatment, of one replicate. A failed baseline skips the treatments. */
export async function runReplicateConditions(
  env: ReplicateEnv,
  replicate: number,
): Promise<ReplicateOutcome> {
  const conditions: ConditionOutcome[] = [];
  // Resume may have reused some conditions of this replicate: run only the others.
  const toRun = env.replicateConditions?.get(replicate) ?? env.conditions;
  if (toRun.has(BASELINE_CONDITION)) {
    const base = await runCondition(env, replicate, BASELINE_CONDITION, env.baselineTreatment);
    conditions.push(base);
    if (base.error) return { replicate, conditions };
  }
  for (const t of env.treatments) {
    if (toRun.has(t.name)) conditions.push(await runCondition(env, replicate, t.name, t));
  }
  return { replicate, conditions };
}
