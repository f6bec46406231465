import { join } from 'node:path';
import type * as Bullmq from 'bullmq';
import type { Job, Queue, QueueEvents, RedisOptions } from 'bullmq';
import type * as Ioredis from 'ioredis';
import type { Logger } from '@crystallize/core';
import type { Experiment, LoopOptions, ReplicateOutcome } from '@crystallize/orchestrator';
import { RedisConnectionError, ReplicateLostError, WorkerRefusedError } from './errors.js';
import { withTimeout } from './internal/with-timeout.js';
import { writeAtomic } from './internal/write-atomic.js';
import {
  cancelChannel,
  cancelKey,
  decodeOutcome,
  jobId,
  type JobData,
  type JobResult,
} from './job-format.js';
import { createProgress, receivedOutcome } from './orchestrator-bridge.js';
import { errorOutcome, failureError } from './replicate-failure.js';

/*
 * One run on the queue, from the submitter's side: add a job per replicate (joining or reusing
 * jobs of an earlier submission of the same run), collect results from queue events and a poll
 * of job states (events can be missed when Redis restarts), and on abort cancel every job.
 */

/** Everything one submission needs: the run, the queue, and the plugin's settings. */
export interface Submission {
  readonly experiment: Experiment;
  readonly options: LoopOptions;
  /** The run key (prefix of its job ids). */
  readonly run: string;
  readonly dataFor: (replicate: number) => JobData;
  readonly bullmq: typeof Bullmq;
  readonly ioredis: typeof Ioredis;
  readonly connection: RedisOptions;
  /** The connection as it may be shown (no password). */
  readonly shown: string;
  readonly queue: string;
  readonly prefix: string;
  readonly attempts: number;
  readonly progress: boolean;
  readonly keepResultsFor: number;
  readonly pollInterval: number;
  readonly connectTimeout: number;
  readonly logger: Logger;
}

/** Submits a run's replicates and waits until each has a result (or the run is aborted). */
export async function submitRun(s: Submission): Promise<void> {
  const { experiment, options, run, dataFor, logger } = s;
  const { Queue, QueueEvents, Job } = s.bullmq;
  const connection = { ...s.connection, maxRetriesPerRequest: null };
  const unreachable = (): Error =>
    new RedisConnectionError(
      `cannot reach Redis at ${s.shown} within ${s.connectTimeout} ms. Start it (redis-server), check the URL ` +
        '(redis://user:password@host:port, rediss:// for TLS) and that workers use the same one.',
    );
  const { Redis } = s.ioredis;
  const control = new Redis(connection);
  control.on('error', (e: Error) => logger.debug(`redis (control): ${e.message}`));
  // Events are read from the stream's end as it is now, before any job is added: a replicate
  // that finishes before the reader's first poll is not missed.
  // A cancel flag left by an earlier submission of this run is cleared in the same round trip.
  const [streamEnd] = await withTimeout(
    Promise.all([
      control.xrevrange(`${s.prefix}:${s.queue}:events`, '+', '-', 'COUNT', 1),
      control.del(cancelKey(s.prefix, s.queue, run)),
    ]),
    s.connectTimeout,
    unreachable,
  ).catch((e: unknown) => {
    control.disconnect();
    throw e;
  });
  // Created once Redis answered: a connection made before would keep an unreachable-Redis run's
  // process alive, reconnecting, after the error. The queue shares the control connection (one
  // connection less to open and check at the start); the event reader blocks, so it has its own.
  const queue: Queue<JobData, JobResult> = new Queue(s.queue, {
    connection: control,
    prefix: s.prefix,
  });
  const events: QueueEvents = new QueueEvents(s.queue, {
    connection,
    prefix: s.prefix,
    lastEventId: streamEnd[0]?.[0] ?? '0-0',
  });
  queue.on('error', (e) => logger.debug(`redis (queue): ${e.message}`));
  events.on('error', (e) => logger.debug(`redis (events): ${e.message}`));
  const bar = createProgress(s.progress, options.replicates.length, experiment.name);
  const pending = new Map<string, number>(options.replicates.map((r) => [jobId(run, r), r]));
  let finish!: () => void;
  const allDone = new Promise<void>((done) => {
    finish = done;
  });
  const settle = (id: string, outcome: () => ReplicateOutcome): void => {
    const replicate = pending.get(id);
    if (replicate === undefined) return; // already counted (a duplicate event or a poll)
    pending.delete(id);
    let received: ReplicateOutcome;
    try {
      received = outcome();
    } catch (e) {
      // A result that cannot be read back is a failed replicate, never a silently lost one.
      received = errorOutcome(
        replicate,
        options.replicateConditions?.get(replicate) ?? options.conditions,
        options.seedFor(replicate),
        new ReplicateLostError(
          `the result of replicate ${replicate} could not be read back: ${(e as Error).message}`,
          { cause: e },
        ),
      );
    }
    options.onReplicateDone(received);
    bar.tick();
    if (pending.size === 0) finish();
  };
  const onCompleted = (id: string, result: JobResult): void => {
    const replicate = pending.get(id);
    if (replicate === undefined) return;
    settle(id, () => {
      const outcome = decodeOutcome(result);
      if (options.runDir) {
        for (const f of result.files)
          writeAtomic(join(options.runDir, f.path), Buffer.from(f.data, 'base64'));
      }
      return receivedOutcome(outcome);
    });
  };
  const onFailed = (id: string, reason: string): void => {
    const replicate = pending.get(id);
    if (replicate === undefined) return;
    if (options.signal?.aborted) return; // cancelled by this run's abort: nothing to report
    const error = failureError(replicate, reason, s.attempts);
    if (error instanceof WorkerRefusedError) logger.warn(error.message);
    settle(id, () =>
      errorOutcome(
        replicate,
        options.replicateConditions?.get(replicate) ?? options.conditions,
        options.seedFor(replicate),
        error,
      ),
    );
  };
  /**
   * Reads a job's state and acts on it. At submission: a completed job of an earlier
   * submission is reused on resume (else replaced), a failed one (cancelled, refused, lost) is
   * replaced, a waiting or running one is joined. While waiting (`poll`): a finished job is
   * this submission's result, and a job Redis lost is added again.
   */
  const check = async (
    id: string,
    replicate: number,
    when: 'submit' | 'poll',
    resume: boolean,
  ): Promise<void> => {
    // The state first: a finished job stays finished, so its result is then complete.
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') {
      const job = (await Job.fromId(queue, id)) as Job<JobData, JobResult> | undefined;
      const take = when === 'poll' || (resume && state === 'completed');
      if (job && take) {
        return state === 'completed'
          ? onCompleted(id, job.returnvalue)
          : onFailed(id, job.failedReason);
      }
      await job?.remove().catch(() => undefined);
    } else if (state !== 'unknown') {
      return; // waiting or running: this submission joins it
    }
    await queue.add('replicate', dataFor(replicate), {
      jobId: id,
      attempts: s.attempts,
      removeOnComplete: { age: s.keepResultsFor },
      removeOnFail: { age: s.keepResultsFor },
    });
  };

  const abort = async (): Promise<void> => {
    const client = control;
    await client.set(cancelKey(s.prefix, s.queue, run), '1', 'EX', s.keepResultsFor);
    await client.publish(cancelChannel(s.prefix, s.queue), run);
    await Promise.all(
      [...pending.keys()].map(async (id) => {
        const job = await Job.fromId(queue, id);
        await job?.remove().catch(() => undefined); // a running job is locked: cancelled above
      }),
    );
    logger.info(`run aborted: ${pending.size} replicate(s) cancelled or removed from the queue`);
    finish();
  };
  // Stop gracefully: jobs no worker has taken leave the queue; running ones finish and count.
  const drain = async (): Promise<void> => {
    const waiting = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);
    let removed = 0;
    await Promise.all(
      [...pending.keys()].map(async (id) => {
        if (!waiting.has(await queue.getJobState(id))) return;
        try {
          await (await Job.fromId(queue, id))?.remove();
          pending.delete(id);
          removed += 1;
        } catch {
          // a worker took it meanwhile (its lock refuses removal): it finishes and counts
        }
      }),
    );
    logger.info(
      `run draining: ${removed} waiting replicate(s) removed from the queue, ${pending.size} running finish`,
    );
    if (pending.size === 0) finish();
  };
  const onDrain = (): void => {
    drain().catch((e: Error) => logger.warn(`removing waiting jobs failed: ${e.message}`));
  };
  const onAbort = (): void => {
    abort().catch((e: Error) => {
      logger.warn(`cancelling jobs failed: ${e.message}`);
      finish();
    });
  };

  let poller: NodeJS.Timeout | undefined;
  /** When this run's last result event came in (ms). */
  let lastEvent = 0;
  try {
    // Jobs are added while the event reader connects: it reads from the stream's end as it was
    // before the first job, so no event is missed.
    const ready = withTimeout(
      Promise.all([queue.waitUntilReady(), events.waitUntilReady()]),
      s.connectTimeout,
      unreachable,
    );
    events.on('completed', ({ jobId: id, returnvalue }) => {
      if (!pending.has(id)) return;
      lastEvent = Date.now();
      // The event carries the return value as JSON text (or parsed, depending on the version).
      const result = (
        typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue
      ) as JobResult;
      onCompleted(id, result);
    });
    events.on('failed', ({ jobId: id }) => {
      if (!pending.has(id)) return;
      lastEvent = Date.now();
      // Final only when the job is in the failed set (else another attempt follows).
      Job.fromId(queue, id)
        .then(async (job) => {
          if (job && (await job.getState()) === 'failed') onFailed(id, job.failedReason);
        })
        .catch(() => undefined); // the poll reads it again
    });
    const resume = options.plan.strategy === 'resume';
    await Promise.all([
      ready,
      Promise.all([...pending].map(([id, r]) => check(id, r, 'submit', resume))),
    ]);
    logger.info(
      `submitted ${options.replicates.length} replicate(s) of '${experiment.name}' to queue '${s.queue}' on ${s.shown} (run ${run})`,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    options.drain?.addEventListener('abort', onDrain, { once: true });
    if (options.drain?.aborted) onDrain();
    let idle = 0;
    poller = setInterval(() => {
      // Events can be missed (Redis restarted, lost its data): the queue's own state decides.
      // While results are arriving, events evidently flow: the states are read once they pause
      // (a missed result is then read late, never lost), and the run's CPU goes to its workers.
      if (Date.now() - lastEvent < s.pollInterval) return;
      void Promise.all(
        [...pending].map(([id, r]) => check(id, r, 'poll', false).catch(() => undefined)),
      ).then(async () => {
        if (pending.size === 0 || (idle += 1) % 5 !== 0) return;
        const workers = await queue.getWorkersCount().catch(() => -1);
        if (workers === 0)
          logger.warn(
            `no worker is connected to queue '${s.queue}' on ${s.shown}; start one where the project is checked out: crystallize worker --redis <url>`,
          );
      });
    }, s.pollInterval);
    poller.unref?.();
    if (pending.size > 0) await allDone;
  } finally {
    clearInterval(poller);
    options.signal?.removeEventListener('abort', onAbort);
    options.drain?.removeEventListener('abort', onDrain);
    bar.stop();
    await Promise.allSettled([events.close(), queue.close()]);
    control.disconnect();
  }
}
