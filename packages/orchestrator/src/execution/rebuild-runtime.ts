import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CrystallizeError } from '@crystallize/core';
import { serializeError } from '../model/serialized-error.js';
import { decodeError } from './error-transport.js';
import type { ReplicateOutcome } from '../model/outcome.js';

/*
 * The parent's side of the one runtime that rebuilds an experiment elsewhere and runs its
 * replicates there: ParallelExecution's worker threads, and @crystallize/distributed's worker
 * processes (which run the same worker file in their own tinypool pool). Where that worker file
 * is, and how outcomes coming back from it become outcomes of the run.
 */

/**
 * The compiled worker file that rebuilds experiments (`parallel.worker.js`): beside this module
 * in dist/, or in dist/ of the package when run from src/.
 */
export function rebuildWorkerFile(): string {
  const beside = new URL('./parallel.worker.js', import.meta.url);
  const candidates = [beside, new URL(beside.href.replace('/src/execution/', '/dist/execution/'))];
  const found = candidates.find((u) => existsSync(fileURLToPath(u)));
  if (!found) {
    throw new CrystallizeError(
      `the worker file that rebuilds experiments is missing (${fileURLToPath(candidates[1] as URL)}). Build the packages first: npx tsc -b tsconfig.build.json`,
    );
  }
  return found.href;
}

/** A replicate that produced no result: the same error for each of its conditions. */
export function failedOutcome(
  replicate: number,
  conditions: readonly string[],
  seed: number,
  error: unknown,
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

/** The outcome of a replicate whose worker died (or that was lost otherwise): an error per condition. */
export function crashedOutcome(
  replicate: number,
  conditions: readonly string[],
  seed: number,
  error: unknown,
  what = `the worker running replicate ${replicate} died`,
): ReplicateOutcome {
  const message = error instanceof Error ? error.message : String(error);
  const died = new CrystallizeError(`${what}: ${message}. Other replicates were not affected.`, {
    cause: error,
  });
  return failedOutcome(replicate, conditions, seed, died);
}

/** Errors sent whole from a worker become real errors again (their class, properties, cause). */
export function receivedOutcome(outcome: ReplicateOutcome): ReplicateOutcome {
  if (!outcome.conditions.some((c) => c.error?.transported)) return outcome;
  return {
    ...outcome,
    conditions: outcome.conditions.map((c) =>
      c.error?.transported ? { ...c, error: serializeError(decodeError(c.error.transported)) } : c,
    ),
  };
}
