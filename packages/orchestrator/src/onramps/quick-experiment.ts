import { FrozenContext, createRng, DEFAULT_MASTER_SEED, ValidationError } from '@crystallize/core';
import { SeedPlugin } from '../plugins/seed.plugin.js';
import { withMathRandomRestored } from '../run/seeded-random.js';

/**
 * The shortest way to run something reproducibly: `fn(config, ctx)` per config and replicate,
 * with the same seeding as a full experiment. Returns `{ [configName]: results[] }`.
 *
 * @example
 * await quickExperiment((cfg, ctx) => cfg.lr * ctx.rng.next(), { low: { lr: 0.1 }, high: { lr: 1 } }, 5);
 */
export async function quickExperiment<C extends Record<string, unknown>, R>(
  fn: (config: C, ctx: FrozenContext) => R | Promise<R>,
  configs: Readonly<Record<string, C>> = { baseline: {} as C },
  replicates = 1,
  options: { readonly seed?: number } = {},
): Promise<Record<string, R[]>> {
  if (!Number.isInteger(replicates) || replicates < 1)
    throw new ValidationError(
      `quickExperiment: replicates must be an integer >= 1, got ${replicates}`,
    );
  const seeds = new SeedPlugin({ seed: options.seed ?? DEFAULT_MASTER_SEED });
  const out: Record<string, R[]> = {};
  // Each replicate reseeds Math.random; the caller's own comes back afterwards.
  await withMathRandomRestored(async () => {
    for (const [name, config] of Object.entries(configs)) {
      const results: R[] = [];
      for (let rep = 0; rep < replicates; rep++) {
        const seed = seeds.seedFor(rep);
        seeds.apply(seed);
        const ctx = new FrozenContext(
          { ...config, replicate: rep, condition: name, seed_used: seed },
          { rng: createRng(seed) },
        );
        results.push(await fn(config, ctx));
      }
      out[name] = results;
    }
  });
  return out;
}
