import type { VerifierFactory } from '@crystallize/core';
import { perMetricVerifier } from './per-metric-verifier.js';
import { checkInteger, type Alternative, type CommonParams } from './verifier-params.js';

/** Fixed default seed: the same data always give the same p-value. */
export const DEFAULT_RESAMPLING_SEED = 42;

/** Parameters of the resampling verifiers, `permutationTest` and `bootstrapCI`. */
export type ResamplingParams = CommonParams & {
  nResamples: number;
  seed: number;
};

/** Options of the resampling tests; one left out takes its {@link RESAMPLING_DEFAULTS} value. */
export interface ResamplingOptions {
  readonly alternative?: Alternative;
  readonly alpha?: number;
  readonly nResamples?: number;
  readonly seed?: number;
}

export const RESAMPLING_DEFAULTS: Readonly<ResamplingParams> = {
  alpha: 0.05,
  alternative: 'two-sided',
  nResamples: 9999,
  seed: DEFAULT_RESAMPLING_SEED,
};

/** `options` completed with the defaults. */
export function withResamplingDefaults({
  alternative = RESAMPLING_DEFAULTS.alternative,
  alpha = RESAMPLING_DEFAULTS.alpha,
  nResamples = RESAMPLING_DEFAULTS.nResamples,
  seed = RESAMPLING_DEFAULTS.seed,
}: ResamplingOptions = {}): ResamplingParams {
  return { alternative, alpha, nResamples, seed };
}

/** Throws unless `nResamples` is a positive integer and `seed` a non-negative one. */
function checkResamplingParams(verifierName: string, params: Readonly<ResamplingParams>): void {
  checkInteger(verifierName, 'nResamples', params.nResamples);
  checkInteger(verifierName, 'seed', params.seed, 0);
}

/**
 * Declares a resampling verifier: {@link perMetricVerifier} with {@link RESAMPLING_DEFAULTS}
 * and `nResamples` and `seed` checked.
 */
export function resamplingVerifier<R>(
  name: string,
  test: (
    treatment: readonly number[],
    baseline: readonly number[],
    params: Readonly<ResamplingParams>,
  ) => R,
): VerifierFactory<ResamplingParams, R> {
  return perMetricVerifier(name, test, RESAMPLING_DEFAULTS, { checkParams: checkResamplingParams });
}
