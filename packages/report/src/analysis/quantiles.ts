import { createRequire } from 'node:module';

// The stdlib distributions @crystallize/stats already uses (same project, same accuracy).
const require = createRequire(import.meta.url);
const normal = require('@stdlib/stats-base-dists-normal-quantile') as (
  p: number,
  mu: number,
  sigma: number,
) => number;
const student = require('@stdlib/stats-base-dists-t-quantile') as (p: number, df: number) => number;

/** The `p` quantile of the standard normal. */
export function zQuantile(p: number): number {
  return normal(p, 0, 1);
}

/** The `p` quantile of Student's t with `df` degrees of freedom. */
export function tQuantile(p: number, df: number): number {
  return student(p, df);
}
