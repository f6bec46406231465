import type { Logger } from '@crystallize/core';
import type { RedisConnection } from './connection.js';

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
  /**
   * How many times a replicate's job may run when it fails on the worker side — outside the
   * user's code: its worker thread crashed, its result could not be built or sent (default 1: no
   * retry). A step that throws is a result (a `result.errors` entry), never retried; a worker
   * that refuses the job (different code) is never retried either; a worker process that dies
   * mid-job is covered by the workers' stall limit (`maxStalledCount`), not by `attempts`.
   */
  readonly attempts?: number;
  /** A progress bar on a TTY (replicates done/total, rate, ETA). */
  readonly progress?: boolean;
  /** The project root that module and folder paths are relative to (default: the current directory). */
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

/** What a worker carries back per replicate by default (`artifacts: 'carry'`). */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
