import type { Project } from '../project.js';
import { UsageError } from '../usage-error.js';

export interface WorkerFlags {
  /** `--redis URL` */
  readonly redis: string;
  readonly concurrency?: number;
  readonly queue?: string;
  readonly lockDuration?: number;
  readonly stalledInterval?: number;
  readonly maxStalled?: number;
  /** `--preload MODULE...`: modules every worker thread imports before the first job. */
  readonly preload?: readonly string[];
}

/**
 * `crystallize worker --redis URL [--root DIR] [--concurrency N] [--preload MODULE...]`: a @crystallize/distributed
 * worker for this project checkout — it runs replicates that `crystallize run --distributed URL`
 * (or a `DistributedExecution`) submits, rebuilding folder experiments and modules under the
 * root, until Ctrl-C (once: finish running replicates; twice: cancel them). Exit 0 when stopped.
 */
export async function workerCommand(p: Project, flags: WorkerFlags): Promise<number> {
  const { runWorkerCommand } = await import('@crystallize/distributed');
  try {
    await runWorkerCommand({
      redis: flags.redis,
      root: p.root,
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
      ...(flags.lockDuration !== undefined ? { lockDuration: flags.lockDuration } : {}),
      ...(flags.stalledInterval !== undefined ? { stalledInterval: flags.stalledInterval } : {}),
      ...(flags.maxStalled !== undefined ? { maxStalledCount: flags.maxStalled } : {}),
      ...(flags.preload !== undefined ? { preload: flags.preload } : {}),
    });
  } catch (e) {
    // A malformed URL or option: the message says what is wrong with it.
    if (e instanceof RangeError) throw new UsageError(`crystallize worker: ${e.message}`);
    throw e;
  }
  return 0;
}
