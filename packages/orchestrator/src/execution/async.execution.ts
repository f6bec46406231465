import type { ExperimentModel } from '../model/experiment-model.js';
import { ExecutionPlugin, type LoopOptions, type ReplicateFn } from './execution.plugin.js';

/**
 * Runs up to `concurrency` replicates at once in this thread — for steps that wait on I/O.
 * `ctx.rng` stays exact; `Math.random` cannot be made deterministic when replicates interleave,
 * and the run log says so.
 */
export class AsyncExecution extends ExecutionPlugin {
  override readonly concurrentInThread = true;
  readonly concurrency: number;

  constructor(options: { readonly concurrency?: number } = {}) {
    super();
    const c = options.concurrency ?? 8;
    if (!Number.isInteger(c) || c < 1) {
      throw new RangeError(`AsyncExecution: concurrency must be an integer >= 1, got ${c}`);
    }
    this.concurrency = c;
  }

  async runExperimentLoop(
    _experiment: ExperimentModel,
    runReplicate: ReplicateFn,
    options: LoopOptions,
  ): Promise<void> {
    const queue = [...options.replicates];
    const worker = async (): Promise<void> => {
      for (let rep = queue.shift(); rep !== undefined; rep = queue.shift()) {
        if (options.signal?.aborted || options.drain?.aborted) return;
        options.onReplicateDone(await runReplicate(rep));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
  }
}
