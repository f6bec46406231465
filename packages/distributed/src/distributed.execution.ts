import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import { ValidationError, rootLogger, type Logger } from '@crystallize/core';
import {
  ExecutionPlugin,
  type Experiment,
  type LoopOptions,
  type ReplicateFn,
} from '@crystallize/orchestrator';
import { resolveConnection, type ResolvedConnection } from './connection.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE } from './defaults.js';
import {
  DEFAULT_MAX_BYTES,
  type ArtifactsOption,
  type DistributedExecutionOptions,
} from './distributed-options.js';
import { FORMAT, pack, runKey, type ArtifactTransport, type JobData } from './job-format.js';
import { jobSourceOf } from './job-source.js';
import {
  assertFunctionTreatmentsDeclared,
  assertModuleExportMatches,
  buildRunSpec,
} from './orchestrator-bridge.js';
import { queueLibrary } from './internal/queue-library.js';
import { submitRun } from './run-submission.js';

export type { ArtifactsOption, DistributedExecutionOptions } from './distributed-options.js';

/**
 * Runs each replicate (all its conditions) as one BullMQ job on Redis; `crystallize worker`
 * processes (or {@link startWorker}) on any machine with the same project checkout run them.
 * Job ids are deterministic per run and replicate, so submitting the same run twice is a no-op,
 * and a resumed run picks up results its killed predecessor's workers finished. Results land
 * where a serial run puts them, identical to it. A folder experiment (loaded by
 * @crystallize/config) travels as its folder, which workers load under their root.
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
    // The queue engine is what this plugin is for: it loads with the plugin (when the module
    // defining the experiment is imported), not inside run(). Worker threads that rebuild the
    // experiment from that module never submit, so they do not load it; a submitter off the main
    // thread loads it with its first run. A missing package is reported by the run.
    const { isMainThread } = createRequire(import.meta.url)(
      'node:worker_threads',
    ) as typeof WorkerThreads;
    if (isMainThread) {
      try {
        queueLibrary();
      } catch {
        // reported by runExperimentLoop, which loads it again
      }
    }
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
    const source = await jobSourceOf(experiment, moduleUrl, this.root);
    assertFunctionTreatmentsDeclared(
      experiment,
      [
        ...options.plan.treatments,
        ...(options.plan.baselineTreatment ? [options.plan.baselineTreatment] : []),
      ],
      'DistributedExecution',
    );
    // A folder experiment is rebuilt by the loader from its folder: no module export to compare.
    if (!source.folder)
      await assertModuleExportMatches(experiment, moduleUrl, 'DistributedExecution');
    const artifacts = this.#transport(options.runDir);
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
      ...(source.exportName !== undefined ? { exportName: source.exportName } : {}),
    };
    const run = runKey(spec, source.key, artifacts);
    const specText = pack({ ...spec, id: run, module: '', runDir: undefined });
    const dataFor = (replicate: number): JobData => ({
      format: FORMAT,
      run,
      experiment: experiment.name,
      replicate,
      module: source.module,
      ...(source.folder ? { folder: source.folder } : {}),
      artifacts,
      spec: specText,
    });
    await submitRun({
      experiment,
      options,
      run,
      dataFor,
      ...queueLibrary(),
      connection: this.#conn.options,
      shown: this.connection,
      queue: this.queue,
      prefix: this.prefix,
      attempts: this.attempts,
      progress: this.progress,
      keepResultsFor: this.keepResultsFor,
      pollInterval: this.pollInterval,
      connectTimeout: this.connectTimeout,
      logger,
    });
  }
}
