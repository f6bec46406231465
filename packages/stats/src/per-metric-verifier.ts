import { verifier, type VerifierFactory, type VerifierParams } from '@crystallize/core';
import { metricPairs, perMetric, type PairingOptions } from './metric-pairs.js';
import { checkCommonParams, type CommonParams } from './verifier-params.js';

export interface PerMetricVerifierOptions<P> extends PairingOptions {
  /** Checks of the verifier's own parameters, run after `alpha` and `alternative` are checked. */
  readonly checkParams?: (verifierName: string, params: Readonly<P>) => void;
}

/**
 * Declares a stats verifier named `name`: it checks its parameters, matches and checks each
 * metric's samples ({@link metricPairs}), then runs `test(treatment, baseline, params)` on every
 * metric of the group, shaping the output as {@link perMetric} does.
 */
export function perMetricVerifier<P extends VerifierParams & CommonParams, R>(
  name: string,
  test: (treatment: readonly number[], baseline: readonly number[], params: Readonly<P>) => R,
  defaults: P,
  { checkParams, ...pairing }: PerMetricVerifierOptions<P> = {},
): VerifierFactory<P, R> {
  return verifier<P, R>(
    (baseline, treatment, params) => {
      checkCommonParams(name, params);
      checkParams?.(name, params);
      return perMetric(metricPairs(name, baseline, treatment, pairing), (m) =>
        test(m.treatment, m.baseline, params),
      );
    },
    defaults,
    { name },
  );
}
