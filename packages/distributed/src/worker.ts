import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type Tinypool from 'tinypool';
import type { Job, Worker as BullWorker } from 'bullmq';
import { rootLogger, type Logger } from '@crystallize/core';
import type { ConditionOutcome, ReplicateOutcome } from '@crystallize/orchestrator';
import { resolveConnection, type RedisConnection } from './connection.js';
import { ArtifactTransportError } from './errors.js';
import {
  FORMAT,
  cancelChannel,
  cancelKey,
  pack,
  unpack,
  type CarriedFile,
  type JobData,
  type JobResult,
} from './job-format.js';
import { queueLibrary } from './internal/queue-library.js';
import { rebuildModuleOf } from './job-source.js';
import { preloadUnderRoot } from './module-path.js';
import {
  decodeError,
  encodeError,
  rebuildWorkerFile,
  serializeError,
  type RunSpec,
  type TransportedError,
  type WorkerTask,
} from './orchestrator-bridge.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE } from './defaults.js';

export interface WorkerOptions {
  /** Redis: a `redis://` / `rediss://` URL, or connection options. */
  readonly connection: RedisConnection;
  /** The project checkout jobs' modules are loaded from (default: the current directory). */
  readonly root?: string;
  /** Replicates run at the same time, each in its own worker thread (default: all cores). */
  readonly concurrency?: number;
  /** The queue name (default `crystallize`); submitter and workers must agree. */
  readonly queue?: string;
  /** BullMQ's key prefix (default `bull`). */
  readonly prefix?: string;
  /** How long a job's lock lasts without renewal (ms, default 30 000). A killed worker's job returns after it. */
  readonly lockDuration?: number;
  /** How often stalled jobs are looked for (ms, default 30 000). */
  readonly stalledInterval?: number;
  /** How many times a job may stall (its worker died) before it fails (default 1: it runs again once). */
  readonly maxStalledCount?: number;
  /** Where the worker logs (default: Crystallize's root pino logger, on stderr). */
  readonly logger?: Logger;
  /**
   * Modules (paths relative to `root`) every worker thread imports before the worker takes its
   * first job, so that job finds the experiment's code loaded instead of importing it first (a
   * few hundred ms of a cold start). Name the modules that define the experiments this worker
   * will run; a module no job names only costs its import.
   */
  readonly preload?: readonly string[];
}

/** A running worker. */
export interface DistributedWorker {
  /** The connection as logged (password hidden). */
  readonly connection: string;
  /** Jobs this worker finished (completed or failed). */
  readonly processed: number;
  /** Stops taking jobs, waits for running ones (or cancels them with `force`), and disconnects. */
  close(options?: { readonly force?: boolean }): Promise<void>;
}

interface RunningJob {
  readonly run: string;
  readonly controller: AbortController;
}

/** An error that must not be retried, with its class name kept at the front of the message. */
function unrecoverable(name: string, message: string): Error {
  const { UnrecoverableError } = queueLibrary().bullmq;
  return new UnrecoverableError(`${name}: ${message}`);
}

function carryFiles(
  outcome: ReplicateOutcome,
  runDir: string,
  maxBytes: number,
): { outcome: ReplicateOutcome; files: CarriedFile[] } {
  const paths = outcome.conditions.flatMap((c) => c.artifacts.map((a) => a.path));
  let total = 0;
  for (const p of paths) total += statSync(join(runDir, p)).size;
  if (total > maxBytes) {
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
    const tooLarge = new ArtifactTransportError(
      `the artifacts of replicate ${outcome.replicate} (${mb(total)}) exceed the ${mb(maxBytes)} a worker carries back with a result. ` +
        'Raise it (new DistributedExecution({ artifacts: { maxBytes } })), or give submitter and workers a shared root ' +
        "(new DistributedExecution({ artifacts: 'shared' }) with the run folder on a shared file system).",
    );
    // Sent whole, so the submitter rebuilds it with its class name.
    const error = { ...serializeError(tooLarge), transported: encodeError(tooLarge) };
    const conditions = outcome.conditions.map((c): ConditionOutcome =>
      c.artifacts.length ? { ...c, metrics: {}, records: [], artifacts: [], error } : c,
    );
    return { outcome: { ...outcome, conditions }, files: [] };
  }
  return {
    outcome,
    files: paths.map((p) => ({ path: p, data: readFileSync(join(runDir, p)).toString('base64') })),
  };
}

/**
 * Has every thread of the pool import each module (one `preload` task per thread: the task
 * holds its thread until all threads took theirs, so each thread gets one). Import errors are
 * not reported here: the job that names the module reports them, with the fix. Resolves with
 * the time it took (ms).
 */
async function warmUp(
  pool: Tinypool,
  modules: readonly string[],
  threads: number,
): Promise<number> {
  const t0 = performance.now();
  for (const module of modules) {
    const arrived = new Int32Array(new SharedArrayBuffer(4));
    await Promise.all(
      Array.from({ length: threads }, () =>
        pool.run({ kind: 'preload', module, arrived, workers: threads } satisfies WorkerTask),
      ),
    );
  }
  return performance.now() - t0;
}

/**
 * Starts a worker: takes replicate jobs from the queue and runs each in a worker thread of its
 * own tinypool pool (the worker file ParallelExecution uses), so CPU-bound steps never block the
 * lock renewal on this thread. The experiment is rebuilt from the job's module under `root` (or,
 * for a folder experiment, from its folder under `root` by @crystallize/config's loader);
 * a worker whose code or configuration differs from the submitter's refuses the job.
 *
 * @example
 * const worker = await startWorker({ connection: 'redis://localhost:6379', concurrency: 2 });
 * process.on('SIGTERM', () => void worker.close());
 */
export async function startWorker(options: WorkerOptions): Promise<DistributedWorker> {
  const conn = resolveConnection(options.connection);
  const root = resolve(options.root ?? process.cwd());
  // Checked before anything starts: a wrong path fails the start, naming the option.
  const preload = (options.preload ?? []).map((p) => preloadUnderRoot(p, root));
  const { default: TinypoolClass } = await import('tinypool');
  const { bullmq, ioredis } = queueLibrary();
  const { Worker } = bullmq;
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`startWorker: concurrency must be an integer >= 1, got ${concurrency}`);
  const queue = options.queue ?? DEFAULT_QUEUE;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const logger = (options.logger ?? rootLogger()).child({ worker: `${hostname()}/${process.pid}` });
  const scratch = mkdtempSync(join(tmpdir(), 'cz-worker-'));
  const pool: Tinypool = new TinypoolClass({
    filename: rebuildWorkerFile(),
    minThreads: concurrency,
    maxThreads: concurrency,
    env: Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  });
  const running = new Map<string, RunningJob>();
  const loadedRuns = new Set<string>();
  /** Runs found not cancelled, until when (ms). */
  const liveRuns = new Map<string, number>();
  /** Decoded run specs with the module and run folder resolved here, by run key. */
  const specs = new Map<string, RunSpec>();
  const warm = warmUp(pool, preload, concurrency).catch((e: Error) => {
    logger.warn(`preloading failed (jobs import their modules themselves): ${e.message}`);
    return NaN;
  });
  const { Redis } = ioredis;
  const control = new Redis({ ...conn.options, maxRetriesPerRequest: null });
  control.on('error', (e: Error) => logger.debug(`control connection: ${e.message}`));
  let processed = 0;

  const processor = async (
    job: Job<JobData, JobResult>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<JobResult> => {
    const data = job.data;
    if (data?.format !== FORMAT)
      throw unrecoverable(
        'WorkerRefusedError',
        `job ${job.id} is not a Crystallize replicate of format ${FORMAT} (a different Crystallize version submitted it?)`,
      );
    // Cancelled runs are announced on a channel; the key covers a worker that missed it. A run
    // found not cancelled is not asked again for a second (a trivial replicate takes ~1 ms).
    if ((liveRuns.get(data.run) ?? 0) < Date.now()) {
      if ((await control.exists(cancelKey(prefix, queue, data.run))) === 1) {
        throw unrecoverable(
          'CancelledError',
          `the run of replicate ${data.replicate} was cancelled by its submitter`,
        );
      }
      liveRuns.set(data.run, Date.now() + 1000);
      if (liveRuns.size > 64) liveRuns.delete(liveRuns.keys().next().value as string);
    }
    // Every job of a run names the same module and carries the same spec: resolved once per run.
    let spec = specs.get(data.run);
    if (!spec) {
      let module: string;
      try {
        module = await rebuildModuleOf(data, root);
      } catch (e) {
        throw unrecoverable('WorkerRefusedError', (e as Error).message);
      }
      const runDir =
        data.artifacts.mode === 'carry'
          ? join(scratch, data.run)
          : data.artifacts.mode === 'shared'
            ? resolve(root, data.artifacts.runDir)
            : undefined;
      spec = { ...unpack<RunSpec>(data.spec), module, runDir };
      specs.set(data.run, spec);
      if (specs.size > 16) specs.delete(specs.keys().next().value as string);
    }
    const { runDir } = spec;
    if (runDir) mkdirSync(runDir, { recursive: true });
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    running.set(String(job.id), { run: data.run, controller });
    const log = logger.child({
      job: job.id,
      experiment: data.experiment,
      replicate: data.replicate,
    });
    log.debug(
      `replicate ${data.replicate} of '${data.experiment}' started (${data.folder ? `folder ${data.folder.path}` : data.module})`,
    );
    try {
      // Rebuilt and checked once per run in this process; a thread that has not rebuilt it yet
      // does so with the replicate (the same code, so the same verdict).
      const refused = loadedRuns.has(data.run)
        ? null
        : ((await pool.run({ kind: 'load', spec } satisfies WorkerTask, {
            signal: controller.signal,
          })) as TransportedError | null);
      if (!refused) {
        loadedRuns.add(data.run);
        if (loadedRuns.size > 64) loadedRuns.delete(loadedRuns.values().next().value as string);
      }
      if (refused) {
        const error = decodeError(refused);
        log.warn(`refused: ${error.message}`);
        throw unrecoverable('WorkerRefusedError', error.message);
      }
      let outcome = (await pool.run(
        { kind: 'replicate', spec, replicate: data.replicate } satisfies WorkerTask,
        { signal: controller.signal },
      )) as ReplicateOutcome;
      let files: CarriedFile[] = [];
      if (data.artifacts.mode === 'carry' && runDir) {
        ({ outcome, files } = carryFiles(outcome, runDir, data.artifacts.maxBytes));
        rmSync(join(runDir, `replicate_${data.replicate}`), { recursive: true, force: true });
      }
      log.debug(`replicate ${data.replicate} of '${data.experiment}' done`);
      return {
        format: FORMAT,
        outcome: pack(outcome),
        files,
        worker: `${hostname()}/${process.pid}`,
      };
    } catch (e) {
      if (controller.signal.aborted)
        throw unrecoverable('CancelledError', `replicate ${data.replicate} was cancelled`);
      throw e;
    } finally {
      running.delete(String(job.id));
      processed += 1;
    }
  };

  const worker: BullWorker<JobData, JobResult> = new Worker<JobData, JobResult>(queue, processor, {
    connection: { ...conn.options, maxRetriesPerRequest: null },
    prefix,
    concurrency,
    ...(options.lockDuration !== undefined ? { lockDuration: options.lockDuration } : {}),
    ...(options.stalledInterval !== undefined ? { stalledInterval: options.stalledInterval } : {}),
    ...(options.maxStalledCount !== undefined ? { maxStalledCount: options.maxStalledCount } : {}),
    autorun: false,
  });
  worker.on('error', (e) => logger.warn(`redis: ${e.message}`));

  // Cancellation reaches every worker through a channel; the key also stops jobs not yet started.
  const subscriber = control.duplicate();
  subscriber.on('error', (e: Error) => logger.debug(`cancel channel: ${e.message}`));
  await subscriber.subscribe(cancelChannel(prefix, queue));
  subscriber.on('message', (_channel: string, run: string) => {
    liveRuns.delete(run);
    for (const job of running.values()) if (job.run === run) job.controller.abort();
  });

  // Jobs are taken once every thread has imported the preloaded modules.
  const warmMs = await warm;
  void worker.run().catch((e: Error) => logger.error(`worker stopped: ${e.message}`));
  await worker.waitUntilReady();
  logger.info(
    `worker ready: queue '${queue}' on ${conn.shown}, root ${root}, concurrency ${concurrency}` +
      (preload.length ? `, ${preload.length} module(s) preloaded in ${Math.round(warmMs)} ms` : ''),
  );

  let closing: Promise<void> | undefined;
  return {
    connection: conn.shown,
    get processed() {
      return processed;
    },
    close(opts = {}) {
      closing ??= (async () => {
        if (opts.force) for (const job of running.values()) job.controller.abort();
        await worker.close(opts.force === true);
        subscriber.disconnect();
        control.disconnect();
        await pool.destroy();
        rmSync(scratch, { recursive: true, force: true });
        logger.info('worker closed');
      })();
      return closing;
    },
  };
}
