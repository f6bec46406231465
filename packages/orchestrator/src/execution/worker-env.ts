import { rootLogger } from '@crystallize/core';
import { originalError } from '../model/serialized-error.js';
import { runStoreOf, type ExperimentModel, type ReplicateEnv } from '../model/experiment-model.js';
import { pluginKind } from '../model/plugin-kinds.js';
import { buildReplicateEnv } from '../run/replicate-env.js';
import { encodeError } from './error-transport.js';
import type { ReplicateOutcome } from '../model/outcome.js';
import { restorePlan, type RunSpec } from './run-spec.js';

/** A worker's replicate environment, with what prepares an outcome for the trip back. */
export interface WorkerEnv extends ReplicateEnv {
  /**
   * Attaches each failed condition's whole error (class chain, own properties, cause) to the
   * outcome. It must come from the experiment's own module instances: the original errors are
   * looked up where the experiment's runner serialized them.
   */
  readonly withTransportedErrors: (outcome: ReplicateOutcome) => ReplicateOutcome;
}

function withTransportedErrors(outcome: ReplicateOutcome): ReplicateOutcome {
  if (!outcome.conditions.some((c) => c.error)) return outcome;
  return {
    ...outcome,
    conditions: outcome.conditions.map((c) => {
      if (!c.error) return c;
      const original = originalError(c.error);
      return original ? { ...c, error: { ...c.error, transported: encodeError(original) } } : c;
    }),
  };
}

/**
 * Rebuilds, inside a worker thread, the environment a planned run's replicates execute in.
 * It is reached through `experiment.workerEnv()`, so every function involved comes from the same
 * module instances as the experiment itself — a worker may load the framework twice (its own
 * compiled files, and whatever the experiment's module resolves, e.g. sources through tsconfig
 * paths); plugins are found by kind, not class, so either copy's plugins are recognised.
 */
export function workerEnv(experiment: ExperimentModel, spec: RunSpec): WorkerEnv {
  const plan = restorePlan(experiment, spec);
  runStoreOf(experiment)?.useRunDir(spec.runDir);
  const plugins = experiment.plugins.filter(
    (p) => spec.runDir !== undefined || pluginKind(p) !== 'artifact',
  );
  const logger = rootLogger().child(
    { experiment: experiment.name },
    spec.logLevel !== undefined ? { level: spec.logLevel } : {},
  );
  const env = buildReplicateEnv(
    experiment,
    plan,
    { logger, dir: spec.runDir },
    plugins,
    new Set(spec.conditions),
    new Map(
      Object.entries(spec.replicateConditions ?? {}).map(([rep, cs]) => [Number(rep), new Set(cs)]),
    ),
  );
  return { ...env, withTransportedErrors };
}
