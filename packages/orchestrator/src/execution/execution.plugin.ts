import { BasePlugin } from '../plugins/plugin.js';
import type { Experiment, RunPlan } from '../experiment/experiment.js';
import type { ReplicateOutcome } from './replicate-outcome.js';

export interface LoopOptions {
  /** Replicate indices to run, in order. */
  readonly replicates: readonly number[];
  readonly signal: AbortSignal | undefined;
  /** The resolved run (treatments, verbosity, ...): what a worker needs to rebuild it. */
  readonly plan: RunPlan;
  /** Conditions to run in each replicate (resume may have reused others). */
  readonly conditions: readonly string[];
  /** The run's results folder, if results are stored. */
  readonly runDir: string | undefined;
  /** The seed of a replicate (for reporting a replicate that never ran). */
  readonly seedFor: (replicate: number) => number;
  /** Must be called with each replicate's outcome as it finishes; the run folds it into the result. */
  readonly onReplicateDone: (outcome: ReplicateOutcome) => void;
}

export type ReplicateFn = (replicate: number) => Promise<ReplicateOutcome>;

/**
 * Decides how replicates run. An experiment uses exactly one: the last one in its plugin list
 * (default {@link SerialExecution}).
 */
export abstract class ExecutionPlugin extends BasePlugin {
  /** True when replicates of this strategy can run at the same time in one thread. */
  readonly concurrentInThread: boolean = false;

  /** Runs `options.replicates`, handing each outcome to `options.onReplicateDone`. */
  abstract runExperimentLoop(
    experiment: Experiment,
    runReplicate: ReplicateFn,
    options: LoopOptions,
  ): Promise<void>;
}

export function isExecutionPlugin(p: unknown): p is ExecutionPlugin {
  return p instanceof ExecutionPlugin;
}
