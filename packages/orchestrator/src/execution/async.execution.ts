import type { Experiment } from '../experiment/experiment.js';
import { ExecutionPlugin, type LoopOptions, type ReplicateFn } from './execution.plugin.js';
import type { ReplicateOutcome } from './replicate-outcome.js';

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
    if (!Number.isInteger(c) || c < 1)
      throw new RangeError(`AsyncExecution: concurrency must be an integer >= 1, got ${c}`);
    this.concurrency = c;
  }

  async runExperimentLoop(
    _experiment: Experiment,
    runReplicate: ReplicateFn,
    options: LoopOptions,
  ): Promise<ReplicateOutcome[]> {
    const queue = [...options.replicates];
    const results = new Map<number, ReplicateOutcome>();
    const worker = async (): Promise<void> => {
      for (let rep = queue.shift(); rep !== undefined; rep = queue.shift()) {
        if (options.signal?.aborted) return;
        const outcome = await runReplicate(rep);
        results.set(rep, outcome);
        options.onReplicateDone?.(outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    return options.replicates
      .filter((r) => results.has(r))
      .map((r) => results.get(r) as ReplicateOutcome);
  }
}
