import type { FrozenContext } from 'crystallize';

/** Ten noisy measurements around 1..10; ctx.rng is seeded per replicate, so runs repeat exactly. */
export function load_numbers(ctx: FrozenContext): number[] {
  return Array.from({ length: 10 }, (_, i) => i + 1 + ctx.rng.normal() * 0.5);
}
