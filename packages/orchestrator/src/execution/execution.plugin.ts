import { BasePlugin } from '../plugins/plugin.js';
import type {
  ExecutionBackend,
  ExperimentModel,
  LoopOptions,
  ReplicateFn,
} from '../model/experiment-model.js';

export type { LoopOptions, ReplicateFn, ExecutionBackend };

/**
 * Decides how replicates run. An experiment uses exactly one: the last one in its plugin list
 * (default {@link SerialExecution}). Any plugin with a `runExperimentLoop` method is an execution
 * backend ({@link ExecutionBackend}); this base class is a convenience.
 */
export abstract class ExecutionPlugin extends BasePlugin implements ExecutionBackend {
  /** True when replicates of this strategy can run at the same time in one thread. */
  readonly concurrentInThread: boolean = false;

  /** Runs `options.replicates`, handing each outcome to `options.onReplicateDone`. */
  abstract runExperimentLoop(
    experiment: ExperimentModel,
    runReplicate: ReplicateFn,
    options: LoopOptions,
  ): Promise<void>;
}
