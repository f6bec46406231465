import type { ExperimentModel } from '../model/experiment-model.js';
import { ExecutionPlugin, type LoopOptions, type ReplicateFn } from './execution.plugin.js';
import { createProgress } from './progress.js';

/** Runs replicates one after another in this thread (the default). */
export class SerialExecution extends ExecutionPlugin {
  readonly progress: boolean;

  constructor(options: { readonly progress?: boolean } = {}) {
    super();
    this.progress = options.progress ?? false;
  }

  async runExperimentLoop(
    experiment: ExperimentModel,
    runReplicate: ReplicateFn,
    options: LoopOptions,
  ): Promise<void> {
    const bar = createProgress(this.progress, options.replicates.length, experiment.name);
    try {
      for (const rep of options.replicates) {
        if (options.signal?.aborted || options.drain?.aborted) break;
        options.onReplicateDone(await runReplicate(rep));
        bar.tick();
      }
    } finally {
      bar.stop();
    }
  }
}
