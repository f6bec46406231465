import type { DataSource } from '@crystallize/core';
import {
  seederOf,
  type ExperimentModel,
  type ExperimentPlugin,
  type ReplicateEnv,
  type RunContext,
  type RunPlan,
} from '../model/experiment-model.js';
import type { RunnerOptions } from '../pipeline/pipeline-runner.js';

/**
 * The per-run environment replicates execute in: the pipeline runner's options with the
 * plugins' step hooks bound to the experiment, the seeder, and the conditions left to run.
 * Built once per run — in the parent, and again inside each worker thread of a parallel run.
 */
export function buildReplicateEnv(
  experiment: ExperimentModel,
  plan: RunPlan,
  run: Pick<RunContext, 'logger' | 'dir'>,
  plugins: readonly ExperimentPlugin[],
  conditions: ReadonlySet<string>,
  replicateConditions?: ReadonlyMap<number, ReadonlySet<string>>,
): ReplicateEnv {
  const runner: RunnerOptions = {
    steps: experiment.pipeline.steps,
    graph: experiment.pipeline.graph,
    cache: experiment.cache,
    verbose: plan.verbose,
    onUnencodable: experiment.onUnencodable,
    beforeStep: plugins
      .filter((p) => p.beforeStep)
      .map((p) => (step, ctx) => p.beforeStep?.(experiment, step, ctx)),
    afterStep: plugins
      .filter((p) => p.afterStep)
      .map((p) => (step, data, ctx, rec) => p.afterStep?.(experiment, step, data, ctx, rec)),
  };
  return {
    datasource: experiment.datasource as DataSource,
    runner,
    initialCtx: experiment.initialCtx,
    treatments: plan.treatments,
    baselineTreatment: plan.baselineTreatment,
    conditions,
    ...(replicateConditions && replicateConditions.size > 0 ? { replicateConditions } : {}),
    seedPlugin: seederOf(experiment),
    beforeReplicate: plugins
      .filter((p) => p.beforeReplicate)
      .map((p) => (ctx) => p.beforeReplicate?.(experiment, ctx)),
    logger: run.logger,
    hasRunDir: run.dir !== undefined,
  };
}
