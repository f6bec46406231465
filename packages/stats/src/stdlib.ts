import { createRequire } from 'node:module';

/*
 * The stdlib functions the tests use, loaded on first call. Each pulls in dozens of small
 * modules (about 10 MB of a process's memory and a third of `crystallize`'s import time), which
 * a process that never verifies a hypothesis should not pay for when it imports the framework.
 */

const require = createRequire(import.meta.url);

type NumericFn = (...args: number[]) => number;

function lazy(id: string): NumericFn {
  let fn: NumericFn | undefined;
  return (...args) => (fn ??= require(id) as NumericFn)(...args);
}

/** `@stdlib/stats-base-dists-t-cdf`: (x, df) => P(T <= x). */
export const stdlibTCdf = lazy('@stdlib/stats-base-dists-t-cdf');
/** `@stdlib/stats-base-dists-t-quantile`: (p, df) => quantile. */
export const stdlibTQuantile = lazy('@stdlib/stats-base-dists-t-quantile');
/** `@stdlib/stats-base-dists-normal-cdf`: (x, mu, sigma) => P(X <= x). */
export const stdlibNormalCdf = lazy('@stdlib/stats-base-dists-normal-cdf');
/** `@stdlib/math-base-special-gammaln`: log |Γ(x)|. */
export const stdlibGammaln = lazy('@stdlib/math-base-special-gammaln');
