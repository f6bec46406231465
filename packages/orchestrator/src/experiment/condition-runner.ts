import {
  BASELINE_CONDITION,
  FrozenContext,
  PipelineExecutionError,
  type DataSource,
  type Logger,
  type Treatment,
} from '@crystallize/core';
import { artifactRelPath } from '../artifacts/layout.js';
import type {
  ConditionOutcome,
  ReplicateOutcome,
  SerializedError,
} from '../execution/replicate-outcome.js';
import { runPipeline, type RunnerOptions } from '../pipeline/pipeline-runner.js';
import type { SeedPlugin } from '../plugins/seed.plugin.js';

/** Everything needed to run replicates of one experiment run; built once per run. */
export interface ReplicateEnv {
  readonly datasource: DataSource;
  readonly runner: RunnerOptions;
  readonly initialCtx: Readonly<Record<string, unknown>>;
  /** Treatments to run after the baseline, in order. */
  readonly treatments: readonly Treatment[];
  /** A treatment named 'baseline', applied to the baseline condition. */
  readonly baselineTreatment: Treatment | undefined;
  /** Conditions to run (others were reused by resume). */
  readonly conditions: ReadonlySet<string>;
  readonly seedPlugin: SeedPlugin | undefined;
  readonly beforeReplicate: readonly ((ctx: FrozenContext) => void | Promise<void>)[];
  readonly logger: Logger;
  readonly hasRunDir: boolean;
}

/**
 * The error each serialized form was made from, while it stays in this thread: a serial or async
 * run hands `result.errors` the original object (its class, `cause`, own properties and stack),
 * not a copy rebuilt from the plain form that crosses worker threads.
 */
const originals = new WeakMap<SerializedError, Error>();

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: { name: string; message: string; stack?: string; stepName?: string } = {
      name: error.name,
      message: error.message,
    };
    if (error.stack) out.stack = error.stack;
    if (error instanceof PipelineExecutionError) out.stepName = error.stepName;
    originals.set(out, error);
    return out;
  }
  return { name: 'Error', message: String(error) };
}

/** The original error behind a serialized one, when it was serialized in this thread. */
export function originalError(serialized: SerializedError): Error | undefined {
  return originals.get(serialized);
}

function contextFor(
  env: ReplicateEnv,
  replicate: number,
  condition: string,
  seed: number,
  treatment: Treatment | undefined,
  reads: string[] | undefined,
): FrozenContext {
  const initial: Record<string, unknown> = { ...env.initialCtx };
  if (treatment?.values) Object.assign(initial, treatment.values);
  initial['replicate'] = replicate;
  initial['condition'] = condition;
  initial['seed_used'] = seed;
  // No rng given: the context seeds one from seed_used on first use (most steps never ask).
  const ctx = new FrozenContext(initial, {
    logger: env.logger,
    ...(reads ? { onRead: (k: string) => void reads.push(k) } : {}),
  });
  if (treatment && !treatment.values) treatment.apply(ctx);
  return ctx;
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
  }));
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
  let ctx: FrozenContext | undefined;
  try {
    ctx = contextFor(env, replicate, condition, seed, treatment, reads);
    env.seedPlugin?.apply(seed);
    for (const hook of env.beforeReplicate) await hook(ctx);
    let data: unknown;
    try {
      data = await env.datasource.fetch(ctx);
    } catch (cause) {
      throw new PipelineExecutionError(`datasource ${env.datasource.name}`, cause);
    }
    const { records } = await runPipeline(env.runner, data, ctx, reads);
    return {
      condition,
      replicate,
      seed,
      metrics: ctx.metrics.toObject(),
      records,
      artifacts: artifactsOf(env, ctx, replicate, condition),
    };
  } catch (error) {
    env.logger.warn(
      { condition, replicate, err: serializeError(error) },
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
    };
  }
}

/** Runs the baseline, then each treatment, of one replicate. A failed baseline skips the treatments. */
export async function runReplicateConditions(
  env: ReplicateEnv,
  replicate: number,
): Promise<ReplicateOutcome> {
  const conditions: ConditionOutcome[] = [];
  if (env.conditions.has(BASELINE_CONDITION)) {
    const base = await runCondition(env, replicate, BASELINE_CONDITION, env.baselineTreatment);
    conditions.push(base);
    if (base.error) return { replicate, conditions };
  }
  for (const t of env.treatments) {
    if (env.conditions.has(t.name)) conditions.push(await runCondition(env, replicate, t.name, t));
  }
  return { replicate, conditions };
}
