import { mkdirSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Bullmq from 'bullmq';
import type { Job, Queue, QueueEvents } from 'bullmq';
import type * as Ioredis from 'ioredis';
import { ValidationError, rootLogger, type Logger } from '@crystallize/core';
import {
  ExecutionPlugin,
  type Experiment,
  type LoopOptions,
  type ReplicateFn,
  type ReplicateOutcome,
} from '@crystallize/orchestrator';
import { resolveConnection, type RedisConnection, type ResolvedConnection } from './connection.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE } from './defaults.js';
import { RedisConnectionError, ReplicateLostError, WorkerRefusedError } from './errors.js';
import {
  FORMAT,
  cancelChannel,
  cancelKey,
  decodeOutcome,
  jobId,
  pack,
  runKey,
  type ArtifactTransport,
  type JobData,
  type JobResult,
} from './job-format.js';
import { moduleRelativeToRoot } from './module-path.js';
import {
  assertFunctionTreatmentsDeclared,
  assertModuleExportMatches,
  buildRunSpec,
  createProgress,
  receivedOutcome,
  serializeError,
} from './orchestrator-bridge.js';

/** Where artifact files written on workers end up (see the package README for the trade-off). */
export type ArtifactsOption =
  /** Carried back with each result, up to `maxBytes` per replicate (default 64 MB). The default. */
  | 'carry'
  | { readonly maxBytes: number }
  /** Written by workers straight into the run folder, which must be under a root they share. */
  | 'shared';

export interface DistributedExecutionOptions {
  /** Redis: `redis://[user:password@]host[:port][/db]`, `rediss://` for TLS, or ioredis options. */
  readonly connection: RedisConnection;
  /** The queue name (default `crystallize`); workers must use the same. */
  readonly queue?: string;
  /** BullMQ's key prefix (default `bull`). */
  readonly prefix?: string;
  /** Runs of a job the worker side may use when it fails outside the user's code (default 1). User step errors are results, never retried. */
  readonly attempts?: number;
  /** A progress bar on a TTY (replicates done/total, rate, ETA). */
  readonly progress?: boolean;
  /** The project root that module paths are relative to (default: the current directory). */
  readonly root?: string;
  /** The module that defines the experiment (path or URL); default: found from the call stack. */
  readonly module?: string;
  /** Where artifacts written on workers go (default `'carry'`). */
  readonly artifacts?: ArtifactsOption;
  /** How long finished jobs (and their results) stay in Redis for a resume (seconds, default 1 day). */
  readonly keepResultsFor?: number;
  /** How often job states are checked besides events, e.g. after Redis restarted (ms, default 2000). */
  readonly pollInterval?: number;
  /** How long to wait for Redis at the start of a run (ms, default 10 000). */
  readonly connectTimeout?: number;
  /** Where the submitter logs (default: Crystallize's root logger). */
  readonly logger?: Logger;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

function writeAtomic(path: string, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function errorOutcome(
  replicate: number,
  conditions: readonly string[],
  seed: number,
  error: Error,
): ReplicateOutcome {
  const e = serializeError(error);
  return {
    replicate,
    conditions: conditions.map((condition) => ({
      condition,
      replicate,
      seed,
      metrics: {},
      records: [],
      artifacts: [],
      error: e,
    })),
  };
}

/** A failed job's reason as the error the run reports. */
function failureError(replicate: number, reason: string): Error {
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
  return new ReplicateLostError(`replicate ${replicate} failed on the worker side: ${reason}`);
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(what()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The module's export holding this very experiment, if the module is loaded and not the entry script. */
async function exportNameOf(experiment: Experiment, module: string): Promise<string | undefined> {
  const entry = process.argv[1];
  if (entry) {
    let entryUrl: string;
    try {
      entryUrl = pathToFileURL(realpathSync(entry)).href;
    } catch {
      entryUrl = pathToFileURL(resolve(entry)).href;
    }
    if (module.split(/[?#]/)[0] === entryUrl) return undefined;
  }
  try {
    const ns = (await withTimeout(
      import(module) as Promise<Record<string, unknown>>,
      10_000,
      () => new Error('timeout'),
    )) as Record<string, unknown>;
    return Object.keys(ns).find((k) => ns[k] === experiment);
  } catch {
    return undefined;
  }
}

type BullmqModule = typeof Bullmq;
type IoredisModule = typeof Ioredis;

function loadBullmq(): Promise<BullmqModule> {
  const p = import('bullmq');
  p.catch(() => undefined); // reported when a run needs it
  return p;
}

function loadIoredis(): Promise<IoredisModule> {
  const p = import('ioredis');
  p.catch(() => undefined);
  return p;
}

/**
 * Runs each replicate (all its conditions) as one BullMQ job on Redis; `crystallize worker`
 * processes (or {@link startWorker}) on any machine with the same project checkout run them.
 * Job ids are deterministic per run and replicate, so submitting the same run twice is a no-op,
 * and a resumed run picks up results its killed predecessor's workers finished. Results land
 * where a serial run puts them, identical to it.
 *
 * @example
 * export const exp = new Experiment({ ..., plugins: [new DistributedExecution({ connection: 'redis://localhost:6379' })] });
 * if (isMainThread) await exp.run({ replicates: 100 });
 */
export class DistributedExecution extends ExecutionPlugin {
  readonly queue: string;
  readonly prefix: string;
  readonly attempts: number;
  readonly progress: boolean;
  readonly root: string;
  readonly module: string | undefined;
  readonly artifacts: ArtifactsOption;
  readonly keepResultsFor: number;
  readonly pollInterval: number;
  readonly connectTimeout: number;
  /** The connection as it may be shown: password replaced by `***`. */
  readonly connection: string;
  // Private: the password must not reach logs, JSON or stored metadata.
  readonly #conn: ResolvedConnection;
  readonly #logger: Logger | undefined;
  // Loaded from construction on, in the background: BullMQ takes a few hundred ms to import
  // cold, which a run would otherwise wait for (importing the framework still does not load it).
  #bullmq: Promise<BullmqModule> | undefined;
  #ioredis: Promise<IoredisModule> | undefined;

  constructor(options: DistributedExecutionOptions) {
    super();
    this.#conn = resolveConnection(options.connection);
    this.connection = this.#conn.shown;
    this.queue = options.queue ?? DEFAULT_QUEUE;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.attempts = options.attempts ?? 1;
    if (!Number.isInteger(this.attempts) || this.attempts < 1)
      throw new RangeError(
        `DistributedExecution: attempts must be an integer >= 1, got ${this.attempts}`,
      );
    this.progress = options.progress ?? false;
    this.root = resolve(options.root ?? process.cwd());
    this.module =
      options.module === undefined
        ? undefined
        : /^[a-z]+:\/\//i.test(options.module)
          ? options.module
          : pathToFileURL(resolve(options.module)).href;
    this.artifacts = options.artifacts ?? 'carry';
    this.keepResultsFor = options.keepResultsFor ?? 24 * 3600;
    this.pollInterval = options.pollInterval ?? 2000;
    this.connectTimeout = options.connectTimeout ?? 10_000;
    this.#logger = options.logger;
    this.#bullmq = loadBullmq();
    this.#ioredis = loadIoredis();
  }

  /** What JSON and logs see of this plugin: no password. */
  toJSON(): Record<string, unknown> {
    return { kind: 'DistributedExecution', connection: this.connection, queue: this.queue };
  }

  #transport(runDir: string | undefined): ArtifactTransport {
    if (runDir === undefined) return { mode: 'none' };
    if (this.artifacts === 'shared') {
      const rel = relative(this.root, resolve(runDir));
      if (rel.startsWith('..') || isAbsolute(rel)) {
        throw new ValidationError(
          `artifacts: 'shared' needs the run folder under the shared root ${this.root}, but it is ${resolve(runDir)}. ` +
            "Point ArtifactPlugin's rootDir inside the root, or use the default artifacts: 'carry'.",
          'DistributedExecution',
        );
      }
      return { mode: 'shared', runDir: rel.split(sep).join('/') };
    }
    const maxBytes = this.artifacts === 'carry' ? DEFAULT_MAX_BYTES : this.artifacts.maxBytes;
    return { mode: 'carry', maxBytes };
  }

  async runExperimentLoop(
    experiment: Experiment,
    _runReplicate: ReplicateFn,
    options: LoopOptions,
  ): Promise<void> {
    if (options.replicates.length === 0 || options.signal?.aborted) return;
    const logger = (this.#logger ?? rootLogger()).child({ experiment: experiment.name });
    const moduleUrl = this.module ?? experiment.definedIn;
    if (!moduleUrl) {
      throw new ValidationError(
        `cannot tell which module defined experiment '${experiment.name}'. Pass it: new DistributedExecution({ connection, module: import.meta.url }).`,
        'DistributedExecution',
      );
    }
    const module = moduleRelativeToRoot(moduleUrl, this.root);
    assertFunctionTreatmentsDeclared(
      experiment,
      [
        ...options.plan.treatments,
        ...(options.plan.baselineTreatment ? [options.plan.baselineTreatment] : []),
      ],
      'DistributedExecution',
    );
    await assertModuleExportMatches(experiment, moduleUrl, 'DistributedExecution');
    const artifacts = this.#transport(options.runDir);
    const exportName = await exportNameOf(experiment, moduleUrl);
    const planned = buildRunSpec(
      experiment,
      options.plan,
      moduleUrl,
      options.conditions,
      options.runDir,
      options.replicateConditions,
    );
    const spec = {
      ...planned,
      code: 'verify' as const,
      backend: 'DistributedExecution',
      ...(exportName !== undefined ? { exportName } : {}),
    };
    const run = runKey(spec, module, artifacts);
    const specText = pack({ ...spec, id: run, module: '', runDir: undefined });
    const dataFor = (replicate: number): JobData => ({
      format: FORMAT,
      run,
      experiment: experiment.name,
      replicate,
      module,
      artifacts,
      spec: specText,
    });

    const { Queue, QueueEvents, Job } = await (this.#bullmq ?? loadBullmq());
    const connection = { ...this.#conn.options, maxRetriesPerRequest: null };
    const queue: Queue<JobData, JobResult> = new Queue(this.queue, {
      connection,
      prefix: this.prefix,
    });
    const unreachable = (): Error =>
      new RedisConnectionError(
        `cannot reach Redis at ${this.connection} within ${this.connectTimeout} ms. Start it (redis-server), check the URL ` +
          '(redis://user:password@host:port, rediss:// for TLS) and that workers use the same one.',
      );
    const { Redis } = await (this.#ioredis ?? loadIoredis());
    const control = new Redis(connection);
    control.on('error', (e: Error) => logger.debug(`redis (control): ${e.message}`));
    // Events are read from the stream's end as it is now, before any job is added: a replicate
    // that finishes before the reader's first poll is not missed.
    const streamEnd = await withTimeout(
      control.xrevrange(`${this.prefix}:${this.queue}:events`, '+', '-', 'COUNT', 1),
      this.connectTimeout,
      unreachable,
    ).catch((e: unknown) => {
      control.disconnect();
      throw e;
    });
    const events: QueueEvents = new QueueEvents(this.queue, {
      connection,
      prefix: this.prefix,
      lastEventId: streamEnd[0]?.[0] ?? '0-0',
    });
    queue.on('error', (e) => logger.debug(`redis (queue): ${e.message}`));
    events.on('error', (e) => logger.debug(`redis (events): ${e.message}`));
    const bar = createProgress(this.progress, options.replicates.length, experiment.name);
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
          options.conditions,
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
      const error = failureError(replicate, reason);
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
        attempts: this.attempts,
        removeOnComplete: { age: this.keepResultsFor },
        removeOnFail: { age: this.keepResultsFor },
      });
    };

    const abort = async (): Promise<void> => {
      const client = control;
      await client.set(cancelKey(this.prefix, this.queue, run), '1', 'EX', this.keepResultsFor);
      await client.publish(cancelChannel(this.prefix, this.queue), run);
      await Promise.all(
        [...pending.keys()].map(async (id) => {
          const job = await Job.fromId(queue, id);
          await job?.remove().catch(() => undefined); // a running job is locked: cancelled above
        }),
      );
      logger.info(`run aborted: ${pending.size} replicate(s) cancelled or removed from the queue`);
      finish();
    };
    const onAbort = (): void => {
      abort().catch((e: Error) => {
        logger.warn(`cancelling jobs failed: ${e.message}`);
        finish();
      });
    };

    let poller: NodeJS.Timeout | undefined;
    try {
      await withTimeout(
        Promise.all([queue.waitUntilReady(), events.waitUntilReady()]),
        this.connectTimeout,
        unreachable,
      );
      events.on('completed', ({ jobId: id, returnvalue }) => {
        if (!pending.has(id)) return;
        // The event carries the return value as JSON text (or parsed, depending on the version).
        const result = (
          typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue
        ) as JobResult;
        onCompleted(id, result);
      });
      events.on('failed', ({ jobId: id }) => {
        if (!pending.has(id)) return;
        // Final only when the job is in the failed set (else another attempt follows).
        Job.fromId(queue, id)
          .then(async (job) => {
            if (job && (await job.getState()) === 'failed') onFailed(id, job.failedReason);
          })
          .catch(() => undefined); // the poll reads it again
      });
      await control.del(cancelKey(this.prefix, this.queue, run));
      const resume = options.plan.strategy === 'resume';
      await Promise.all([...pending].map(([id, r]) => check(id, r, 'submit', resume)));
      logger.info(
        `submitted ${options.replicates.length} replicate(s) of '${experiment.name}' to queue '${this.queue}' on ${this.connection} (run ${run})`,
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();
      let idle = 0;
      poller = setInterval(() => {
        // Events can be missed (Redis restarted, lost its data): the queue's own state decides.
        void Promise.all(
          [...pending].map(([id, r]) => check(id, r, 'poll', false).catch(() => undefined)),
        ).then(async () => {
          if (pending.size === 0 || (idle += 1) % 5 !== 0) return;
          const workers = await queue.getWorkersCount().catch(() => -1);
          if (workers === 0)
            logger.warn(
              `no worker is connected to queue '${this.queue}' on ${this.connection}; start one where the project is checked out: crystallize worker --redis <url>`,
            );
        });
      }, this.pollInterval);
      poller.unref?.();
      if (pending.size > 0) await allDone;
    } finally {
      clearInterval(poller);
      options.signal?.removeEventListener('abort', onAbort);
      bar.stop();
      await Promise.allSettled([events.close(), queue.close()]);
      control.disconnect();
    }
  }
}
