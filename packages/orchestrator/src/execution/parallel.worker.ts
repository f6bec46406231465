/**
 * The worker side of ParallelExecution — and of @crystallize/distributed's worker processes,
 * which run the same file in their own tinypool pool (runs inside tinypool's worker threads;
 * compiled JS). It rebuilds the experiment by importing the module that defined it, adopts the parent's step
 * identities, and runs replicates with the same code path as serial execution.
 */
import { ValidationError } from '@crystallize/core';
import { serializeError } from '../model/serialized-error.js';
import { encodeError, type TransportedError } from './error-transport.js';
import type { ExperimentModel, ReplicateEnv } from '../model/experiment-model.js';
import type { ConditionOutcome, ReplicateOutcome } from '../model/outcome.js';
import type { RunSpec } from './run-spec.js';
import type { WorkerEnv } from './worker-env.js';

export type WorkerTask =
  /**
   * Sent once per worker when a run starts: import the module now, while the parent prepares.
   * `arrived` (shared memory) counts the workers that took theirs, out of `workers`.
   */
  | {
      readonly kind: 'preload';
      readonly module: string;
      readonly arrived: Int32Array;
      readonly workers: number;
    }
  | { readonly kind: 'load'; readonly spec: RunSpec }
  | { readonly kind: 'replicate'; readonly spec: RunSpec; readonly replicate: number };

/** An experiment as a worker drives it: the model plus the worker protocol (by shape). */
interface HostedExperiment extends ExperimentModel {
  workerEnv(spec: RunSpec): WorkerEnv;
  runReplicate(replicate: number, env: ReplicateEnv): Promise<ReplicateOutcome>;
}

interface Loaded {
  readonly experiment: HostedExperiment;
  readonly env: WorkerEnv;
}

const runs = new Map<string, Promise<Loaded>>();

// A worker thread that calls process.exit() ends silently, and tinypool then never settles the
// task it was running. Inside our workers process.exit() throws instead: the replicate that
// called it fails with a clear error and the worker lives on to run the next one.
process.exit = ((code?: number | string | null) => {
  throw new Error(
    `process.exit(${code ?? ''}) was called inside a worker thread; it ends only this replicate. ` +
      'Throw an error to fail a replicate instead.',
  );
}) as typeof process.exit;
let typescriptLoader: Promise<void> | undefined;

/** TypeScript modules are loaded through tsx's ESM hooks, registered once per worker. */
function importModule(url: string): Promise<Record<string, unknown>> {
  if (/\.[cm]?tsx?$/.test(new URL(url).pathname)) {
    typescriptLoader ??= import('tsx/esm/api').then(({ register }) => void register());
    return typescriptLoader.then(() => import(url) as Promise<Record<string, unknown>>);
  }
  return import(url) as Promise<Record<string, unknown>>;
}

function isExperiment(value: unknown): value is HostedExperiment {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HostedExperiment).runReplicate === 'function' &&
    typeof (value as HostedExperiment).workerEnv === 'function'
  );
}

async function load(spec: RunSpec): Promise<Loaded> {
  let ns: Record<string, unknown>;
  try {
    ns = await importModule(spec.module);
  } catch (e) {
    throw new ValidationError(
      `importing ${spec.module} in a worker failed: ${(e as Error).message}. ` +
        'A worker rebuilds the experiment by importing the module that defined it, so define the experiment ' +
        'in a module that only declares things when imported (export const exp = new Experiment({...})), ' +
        'and start runs only on the main thread (if (isMainThread) await exp.run()). Test files and scripts ' +
        'that run code at import cannot be imported by workers.',
      spec.backend ?? 'ParallelExecution',
    );
  }
  const found = Object.values(ns).filter(isExperiment);
  const named = spec.exportName !== undefined ? ns[spec.exportName] : undefined;
  const experiment =
    isExperiment(named) && named.name === spec.experiment
      ? named
      : found.find((e) => e.name === spec.experiment);
  if (!experiment) {
    throw new ValidationError(
      `experiment '${spec.experiment}' is not exported by ${spec.module}` +
        (found.length ? ` (it exports ${found.map((e) => `'${e.name}'`).join(', ')})` : '') +
        '. A worker rebuilds the experiment by importing its module, so export it from the top level ' +
        '(export const exp = new Experiment({...})) and start runs only on the main thread (if (isMainThread) await exp.run()). ' +
        'An experiment built inside a function or a test body cannot be rebuilt.',
      spec.backend ?? 'ParallelExecution',
    );
  }
  return { experiment, env: experiment.workerEnv(spec) };
}

function loaded(spec: RunSpec): Promise<Loaded> {
  let p = runs.get(spec.id);
  if (!p) {
    p = load(spec);
    runs.set(spec.id, p);
    p.catch(() => runs.delete(spec.id));
    // Keep only the few latest runs: a long-lived pool serves many.
    if (runs.size > 8) runs.delete(runs.keys().next().value as string);
  }
  return p;
}

/** A metric that cannot cross the thread boundary fails its condition, named, not the pool. */
function sendable(outcome: ReplicateOutcome): ReplicateOutcome {
  try {
    structuredClone(outcome);
    return outcome;
  } catch {
    const conditions = outcome.conditions.map((c): ConditionOutcome => {
      try {
        structuredClone(c);
        return c;
      } catch (e) {
        const bad = Object.keys(c.metrics).find((m) => {
          try {
            structuredClone(c.metrics[m]);
            return false;
          } catch {
            return true;
          }
        });
        const what = bad ? `metric '${bad}'` : 'its result';
        return {
          ...c,
          metrics: {},
          records: [],
          artifacts: [],
          error: sendableError(
            new ValidationError(
              `${what} of ${c.condition} replicate ${c.replicate} cannot be sent from a worker thread (${(e as Error).message}). ` +
                'Record plain data (numbers, strings, arrays, plain objects, typed arrays, Maps, Sets).',
              'ParallelExecution',
            ),
          ),
        };
      }
    });
    return { ...outcome, conditions };
  }
}

function sendableError(error: Error): ReturnType<typeof serializeError> {
  return { ...serializeError(error), transported: encodeError(error) };
}

/** How long a preloading worker waits for the other workers to take theirs. */
const PRELOAD_WAIT_MS = 5_000;

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeout: number,
) => { async: boolean; value: Promise<string> | string };

/**
 * Imports the module, and holds this worker until every worker has taken its own preload task
 * (or PRELOAD_WAIT_MS passed): a worker that finished early would otherwise take another
 * worker's preload, and that worker would import the module during its first replicate.
 * Import errors are left to the load task, which reports them with the fix.
 */
async function preload(module: string, arrived: Int32Array, workers: number): Promise<void> {
  Atomics.add(arrived, 0, 1);
  Atomics.notify(arrived, 0);
  const imported = importModule(module).catch(() => undefined);
  const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
  const deadline = Date.now() + PRELOAD_WAIT_MS;
  for (let n = Atomics.load(arrived, 0); n < workers; n = Atomics.load(arrived, 0)) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await waitAsync(arrived, 0, n, left).value;
  }
  await imported;
}

/**
 * `preload` answers null whatever happens (a module that fails to import fails `load` next, with
 * the fix); `load` answers with the error that stops the run (sent whole, so the parent rethrows
 * it with its class), or null; `replicate` answers with the replicate's outcome.
 */
export default async function task(
  t: WorkerTask,
): Promise<ReplicateOutcome | TransportedError | null> {
  if (t.kind === 'preload') {
    await preload(t.module, t.arrived, t.workers);
    return null;
  }
  if (t.kind === 'load') {
    try {
      await loaded(t.spec);
      return null;
    } catch (e) {
      return encodeError(e);
    }
  }
  const { experiment, env } = await loaded(t.spec);
  return sendable(env.withTransportedErrors(await experiment.runReplicate(t.replicate, env)));
}
