import type { ReplicateSeeder } from '../model/experiment-model.js';

/*
 * `Math.random` cannot be seeded, only replaced (per thread): replicates replace it with their
 * seeded stream. Every entry point that runs user code — run, debug, apply, quickExperiment, a
 * graph — goes through this one helper, so the process's own `Math.random` is always put back,
 * even when the body throws.
 */

/** Runs `body`, then restores the `Math.random` that was in place before it. */
export async function withMathRandomRestored<T>(body: () => T | Promise<T>): Promise<T> {
  const saved = Math.random;
  try {
    return await body();
  } finally {
    Math.random = saved;
  }
}

/** Seeds `Math.random` for one replicate (through `seeder`, when it auto-seeds), runs `body`, restores. */
export function withSeededMathRandom<T>(
  seeder: ReplicateSeeder | undefined,
  seed: number,
  body: () => T | Promise<T>,
): Promise<T> {
  return withMathRandomRestored(() => {
    seeder?.apply(seed);
    return body();
  });
}
