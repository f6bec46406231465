import { createRng, DEFAULT_MASTER_SEED } from '@crystallize/core';
import { BasePlugin } from './plugin.js';
import { PLUGIN_KIND } from '../model/plugin-kinds.js';

const UINT32 = 2 ** 32;

/**
 * Makes `Math.random` a seeded stream (pure-rand xoroshiro128+) in this thread: the seed's
 * `'mathRandom'` stream, independent of the `'context'` stream `ctx.rng` draws from, so code
 * mixing the two never sees the same numbers twice.
 */
export function seedMathRandom(seed: number): void {
  // The generator is built on the first draw: most replicates never call Math.random.
  let rng: ReturnType<typeof createRng> | undefined;
  Math.random = () => (rng ??= createRng(seed, 'mathRandom')).next();
}

export interface SeedPluginOptions {
  /** Master seed (default: a fixed value, so two runs of one experiment agree). */
  readonly seed?: number;
  /** Call `seedFn` before every replicate and condition (default true). */
  readonly autoSeed?: boolean;
  /** Seeds global randomness from a replicate seed (default: makes `Math.random` deterministic). */
  readonly seedFn?: (seed: number) => void;
}

/**
 * Seeds each replicate: `(seed + replicate * 31337) mod 2^32`, the formula of the Python
 * library. Baseline and treatments of one replicate share the seed (common random numbers), and
 * `ctx.rng` is seeded from it for each condition. The run puts the process's own `Math.random`
 * back afterwards (`run/seeded-random.ts`).
 */
export class SeedPlugin extends BasePlugin {
  /** Its role, recognised by shape: another copy of the framework finds this plugin too. */
  get [PLUGIN_KIND](): 'seed' {
    return 'seed';
  }

  readonly seed: number;
  readonly autoSeed: boolean;
  readonly seedFn: (seed: number) => void;

  constructor(options: SeedPluginOptions = {}) {
    super();
    const seed = options.seed ?? DEFAULT_MASTER_SEED;
    if (!Number.isSafeInteger(seed))
      throw new RangeError(`SeedPlugin: seed must be an integer, got ${seed}`);
    this.seed = seed;
    this.autoSeed = options.autoSeed ?? true;
    this.seedFn = options.seedFn ?? seedMathRandom;
  }

  /** The seed of replicate `replicate`. */
  seedFor(replicate: number): number {
    return (((this.seed + replicate * 31337) % UINT32) + UINT32) % UINT32;
  }

  /** Seeds global randomness for one replicate and condition (when `autoSeed`). */
  apply(seed: number): void {
    if (this.autoSeed) this.seedFn(seed);
  }
}
