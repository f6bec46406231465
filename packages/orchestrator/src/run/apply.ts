import {
  BASELINE_CONDITION,
  FrozenContext,
  createRng,
  RESERVED_CONTEXT_KEYS,
  rootLogger,
  ValidationError,
  type Treatment,
} from '@crystallize/core';
import { runPipeline, type RunnerOptions } from '../pipeline/pipeline-runner.js';
import { seederOf, type ExperimentModel } from '../model/experiment-model.js';
import { withSeededMathRandom } from './seeded-random.js';
import { reservedKeyProblem } from './condition-runner.js';
import { withStepLifecycle } from './step-lifecycle.js';

export interface ApplyOptions {
  /** Apply this treatment (default: the baseline). */
  readonly treatment?: Treatment;
  /** Use this input instead of fetching from the data source. */
  readonly data?: unknown;
  /** Seed (default: replicate 0's). */
  readonly seed?: number;
}

/**
 * `exp.apply()`: the pipeline once, as replicate 0, with caching but no plugins or storage.
 * Steps' `setup` and `teardown` run around it as in `run()`.
 */
export async function applyOnce(exp: ExperimentModel, options: ApplyOptions): Promise<unknown> {
  const reserved = new Set<string>(RESERVED_CONTEXT_KEYS);
  const problems = [
    ...Object.keys(exp.initialCtx)
      .filter((k) => reserved.has(k))
      .map((k) => reservedKeyProblem('initialCtx', k)),
    ...Object.keys(options.treatment?.values ?? {})
      .filter((k) => reserved.has(k))
      .map((k) => reservedKeyProblem(`treatment '${options.treatment?.name ?? ''}'`, k)),
  ];
  if (problems.length) throw new ValidationError(problems, `Experiment '${exp.name}' (apply)`);
  return withStepLifecycle(exp.pipeline.steps, exp.initialCtx, rootLogger(), () =>
    applyPipeline(exp, options),
  );
}

async function applyPipeline(exp: ExperimentModel, options: ApplyOptions): Promise<unknown> {
  const seedPlugin = seederOf(exp);
  const seed = options.seed ?? seedPlugin?.seedFor(0) ?? 0;
  const initial: Record<string, unknown> = {
    ...exp.initialCtx,
    ...(options.treatment?.values ?? {}),
    replicate: 0,
    condition: options.treatment?.name ?? BASELINE_CONDITION,
    seed_used: seed,
  };
  const ctx = new FrozenContext(initial, { rng: createRng(seed) });
  if (options.treatment && !options.treatment.values) options.treatment.apply(ctx);
  return withSeededMathRandom(seedPlugin, seed, async () => {
    const data = 'data' in options ? options.data : await exp.datasource.fetch(ctx);
    const runner: RunnerOptions = {
      steps: exp.pipeline.steps,
      graph: exp.pipeline.graph,
      cache: exp.cache,
      verbose: false,
      onUnencodable: exp.onUnencodable,
      beforeStep: [],
      afterStep: [],
    };
    return (await runPipeline(runner, data, ctx, undefined)).output;
  });
}
