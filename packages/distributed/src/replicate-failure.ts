import type { ReplicateOutcome } from '@crystallize/orchestrator';
import { ReplicateLostError, WorkerRefusedError } from './errors.js';
import { failedOutcome } from './orchestrator-bridge.js';

/** A replicate that produced no result: the same error for each of its conditions. */
export function errorOutcome(
  replicate: number,
  conditions: readonly string[],
  seed: number,
  error: Error,
): ReplicateOutcome {
  return failedOutcome(replicate, conditions, seed, error);
}

/** A failed job's reason (BullMQ's `failedReason`) as the error the run reports. */
export function failureError(replicate: number, reason: string, attempts = 1): Error {
  const m = /^(\w+Error): ([\s\S]*)$/.exec(reason);
  const name = m?.[1];
  const message = m?.[2] ?? reason;
  if (name === 'WorkerRefusedError' || name === 'ValidationError')
    return new WorkerRefusedError(
      `a worker refused replicate ${replicate}: ${message}`,
      'DistributedExecution',
    );
  if (reason.includes('stalled more than allowable limit')) {
    return new ReplicateLostError(
      `replicate ${replicate} was lost: every worker that ran it stopped mid-job (killed, out of memory, ...) ` +
        "more often than the workers' stall limit allows (maxStalledCount). Other replicates were not affected; " +
        'look at what the replicate does to its worker process (process.kill, unbounded memory).',
    );
  }
  const tries = attempts > 1 ? ` in each of its ${attempts} attempts` : '';
  return new ReplicateLostError(
    `replicate ${replicate} failed on the worker side${tries}: ${reason}. ` +
      'This is not an error of a step (those are results); raise DistributedExecution({ attempts }) to retry such failures.',
  );
}
