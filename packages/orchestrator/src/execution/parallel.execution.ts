import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import type Tinypool from 'tinypool';
import { CrystallizeError, ValidationError } from '@crystallize/core';
import type { ExperimentModel, RunContext } from '../model/experiment-model.js';
import { toModuleUrl } from './defining-module.js';
import {
  assertFunctionTreatmentsDeclared,
  assertModuleExportMatches,
} from './module-export-check.js';
import { ExecutionPlugin, type LoopOptions, type ReplicateFn } from './execution.plugin.js';
import { decodeError, type TransportedError } from './error-transport.js';
import type { WorkerTask } from './parallel.worker.js';
import { createProgress } from './progress.js';
import { crashedOutcome, rebuildWorkerFile, receivedOutcome } from './rebuild-runtime.js';
import type { ReplicateOutcome } from '../model/outcome.js';
import { buildRunSpec } from './run-spec.js';

export interface ParallelExecutionOptions {
  /** Worker threads (default: all cores, `os.availableParallelism()`). */
  readonly maxWorkers?: number;
  /** A progress bar on a TTY (replicates done/total, rate, ETA). */
  readonly progress?: boolean;
  /** The module that defines the experiment (path or URL); default: found from the call stack. */
  readonly module?: string;
  /** Per-worker memory limits; a worker exceeding them fails only its replicate. */
  readonly resourceLimits?: ResourceLimits;
}

let tinypool: Promise<{ default: typeof Tinypool }> | undefined;

/**
 * One import shared by concurrent callers (jest's module loader mishandles two at once).
 * tinypool is an ES module: a host that cannot import one (jest's CommonJS module system, as
 * with the default ts-jest preset) gets an error saying what to do instead.
 */
function importTinypool(): Promise<{ default: typeof Tinypool }> {
  tinypool ??= import('tinypool').catch((error: unknown) => {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    // ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING(_FLAG): Node's vm has no import() hook (jest).
    const noImportHook =
      (typeof code === 'string' && code.startsWith('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING')) ||
      (typeof message === 'string' && /dynamic import callback/i.test(message));
    if (!noImportHook) throw error;
    throw new CrystallizeError(
      'ParallelExecution cannot start worker threads here: this host cannot import ES modules ' +
        'such as tinypool (jest without --experimental-vm-modules, e.g. the default ts-jest ' +
        'preset). In a jest test, run the experiment serially (plugins: [new SerialExecution()], ' +
        "or leave ParallelExecution out of the test's copy), or run jest with " +
        'node --experimental-vm-modules and ts-jest { useESM: true }.',
      { cause: error },
    );
  });
  return tinypool;
}

/**
 * Runs replicates in a tinypool pool of worker threads. Each worker rebuilds the experiment by
 * importing the module that defined it — so export the experiment from its module's top level,
 * and start runs only on the main thread (`if (isMainThread) await exp.run()`), the way Python
 * users guard with `if __name__ == "__main__"`. TypeScript modules load through tsx.
 *
 * Results are identical to serial execution: same seeds, metrics, provenance and cache keys.
 * The pool stays up between runs of this plugin (idle workers do not keep the process alive);
 * `close()` ends it.
 *
 * @example
 * export const exp = new Experiment({ ..., plugins: [new ParallelExecution()] });
 * if (isMainThread) console.log((await exp.run({ replicates: 16 })).metrics);
 */
export class ParallelExecution extends ExecutionPlugin {
  readonly maxWorkers: number;
  readonly progress: boolean;
  readonly module: string | undefined;
  readonly resourceLimits: ResourceLimits | undefined;
  #pool: Tinypool | undefined;
  /** beforeRun started the pool and no runExperimentLoop has used it yet. */
  #warmedUnused = false;

  constructor(options: ParallelExecutionOptions = {}) {
    super();
    const workers = options.maxWorkers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1)
      throw new RangeError(`ParallelExecution: maxWorkers must be an integer >= 1, got ${workers}`);
    this.maxWorkers = workers;
    this.progress = options.progress ?? false;
    this.module = options.module !== undefined ? toModuleUrl(options.module) : undefined;
    this.resourceLimits = options.resourceLimits;
  }

  /**
   * Starts the pool when the run starts, before the parent has checked and prepared the run, and
   * has every worker import the experiment's module meanwhile: a worker's start (a thread, the
   * framework, the module) then overlaps the parent's preparation and the other workers' start
   * instead of delaying the first replicates. Nothing runs in a worker before runExperimentLoop.
   * A run that ends up not using the pool (debug(), a resume that reuses every condition) closes
   * it again in afterRun/runFailed.
   */
  override beforeRun(experiment: ExperimentModel, run: RunContext): void {
    const module = this.module ?? experiment.definedIn;
    // runExperimentLoop says how to fix a missing module; one replicate gains nothing.
    if (module === undefined || run.replicates < 2 || experiment.execution !== this) return;
    this.#warmedUnused = true;
    const workers = this.maxWorkers;
    const arrived = new Int32Array(new SharedArrayBuffer(4));
    void this.#poolFor()
      .then((pool) =>
        Promise.all(
          Array.from({ length: workers }, () =>
            pool.run({ kind: 'preload', module, arrived, workers } satisfies WorkerTask),
          ),
        ),
      )
      .catch(() => undefined); // the run's own load task reports what went wrong
  }

  override async afterRun(): Promise<void> {
    if (this.#warmedUnused) await this.close();
  }

  override async runFailed(): Promise<void> {
    if (this.#warmedUnused) await this.close();
  }

  // tinypool is imported with the first parallel run: importing the framework does not load it.
  async #poolFor(): Promise<Tinypool> {
    const { default: TinypoolClass } = await importTinypool();
    this.#pool ??= new TinypoolClass({
      filename: rebuildWorkerFile(),
      minThreads: this.maxWorkers,
      maxThreads: this.maxWorkers,
      ...(this.resourceLimits ? { resourceLimits: this.resourceLimits } : {}),
      // Workers see the environment this code sees now (a test runner may sandbox process.env).
      env: Object.fromEntries(
        Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
      ),
    });
    return this.#pool;
  }

  async runExperimentLoop(
    experiment: ExperimentModel,
    _runReplicate: ReplicateFn,
    options: LoopOptions,
  ): Promise<void> {
    this.#warmedUnused = false;
    if (options.replicates.length === 0 || options.signal?.aborted) return;
    const module = this.module ?? experiment.definedIn;
    if (!module) {
      throw new ValidationError(
        `cannot tell which module defined experiment '${experiment.name}'. Pass it: new ParallelExecution({ module: import.meta.url }).`,
        'ParallelExecution',
      );
    }
    // Workers run the module's export: it must be the configuration run() was called on.
    assertFunctionTreatmentsDeclared(
      experiment,
      [
        ...options.plan.treatments,
        ...(options.plan.baselineTreatment ? [options.plan.baselineTreatment] : []),
      ],
      'ParallelExecution',
    );
    await assertModuleExportMatches(experiment, module, 'ParallelExecution');
    const spec = buildRunSpec(
      experiment,
      options.plan,
      module,
      options.conditions,
      options.runDir,
      options.replicateConditions,
    );
    const pool = await this.#poolFor();
    let refused: TransportedError | null;
    try {
      refused = (await pool.run({
        kind: 'load',
        spec,
      } satisfies WorkerTask)) as TransportedError | null;
    } catch (e) {
      // Nothing has run yet: a module that cannot be rebuilt fails the run here, with the fix.
      throw e instanceof ValidationError
        ? e
        : new ValidationError(
            (e as Error).message,
            `ParallelExecution (experiment '${experiment.name}')`,
          );
    }
    // Nothing has run yet: a module that cannot be rebuilt, or rebuilds into another
    // configuration, fails the run here with its own class and the fix.
    if (refused) throw decodeError(refused);
    const bar = createProgress(this.progress, options.replicates.length, experiment.name);
    // At most one task per worker is handed to the pool, so a drain (stop gracefully) leaves
    // nothing queued there: what has not started stays here and is never sent.
    const queue = [...options.replicates];
    const lane = async (): Promise<void> => {
      for (let replicate = queue.shift(); replicate !== undefined; replicate = queue.shift()) {
        if (options.signal?.aborted || options.drain?.aborted) return;
        try {
          const outcome = (await pool.run(
            { kind: 'replicate', spec, replicate } satisfies WorkerTask,
            {
              ...(options.signal ? { signal: options.signal } : {}),
            },
          )) as ReplicateOutcome;
          options.onReplicateDone(receivedOutcome(outcome));
        } catch (e) {
          if (options.signal?.aborted) return; // cancelled: nothing to report
          options.onReplicateDone(
            crashedOutcome(
              replicate,
              options.replicateConditions?.get(replicate) ?? options.conditions,
              options.seedFor(replicate),
              e,
            ),
          );
        } finally {
          bar.tick();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.maxWorkers, queue.length) }, lane));
    } finally {
      bar.stop();
      if (options.signal?.aborted) await this.close(); // terminates running workers
    }
  }

  /** Ends the worker pool (a later run starts a new one). */
  async close(): Promise<void> {
    this.#warmedUnused = false;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }
}
