import { rootLogger } from '@crystallize/core';
import type { ReplicateEnv } from '../experiment/condition-runner.js';
import type { Experiment } from '../experiment/experiment.js';
import { ArtifactPlugin } from '../plugins/artifact.plugin.js';
import { restorePlan, type RunSpec } from './run-spec.js';

/**
 * Rebuilds, inside a worker thread, the environment a planned run's replicates execute in.
 * It is reached through `experiment.workerEnv()`, so every class involved comes from the same
 * module instances as the experiment itself — a worker may load the framework twice (its own
 * compiled files, and whatever the experiment's module resolves, e.g. sources through tsconfig
 * paths), and instanceof checks across the two would fail.
 */
export function workerEnv(experiment: Experiment, spec: RunSpec): ReplicateEnv {
  const plan = restorePlan(experiment, spec);
  experiment.plugin(ArtifactPlugin)?.useRunDir(spec.runDir);
  const plugins = experiment.plugins.filter(
    (p) => spec.runDir !== undefined || !(p instanceof ArtifactPlugin),
  );
  const logger = rootLogger().child({ experiment: experiment.name });
  return experiment.replicateEnv(
    plan,
    { logger, dir: spec.runDir },
    plugins,
    new Set(spec.conditions),
  );
}
