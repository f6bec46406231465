import {
  Hypothesis,
  isVerifierFactory,
  type MetricSelection,
  type VerifierFactory,
} from '@crystallize/core';
import * as stats from '@crystallize/stats';
import type { HypothesisConfig } from '../schema/config.schema.js';
import { didYouMean, listNames } from '../internal/did-you-mean.js';
import { lookup, splitNamed, type BuildScope } from './lookup.js';

/** The verifiers of @crystallize/stats, by export name: they resolve without a verifiers.ts. */
export const builtinVerifiers: Readonly<Record<string, VerifierFactory>> = Object.fromEntries(
  Object.entries(stats as Record<string, unknown>).filter((e): e is [string, VerifierFactory] =>
    isVerifierFactory(e[1]),
  ),
);

/** The hypotheses of `hypotheses:`, each verifier resolved and its parameters checked. */
export function buildHypotheses(
  scope: BuildScope,
  entries: readonly HypothesisConfig[],
): Hypothesis<unknown>[] {
  const out: Hypothesis<unknown>[] = [];
  entries.forEach((h, i) => {
    const [name, params, withParams] = splitNamed(h.verifier);
    const path = withParams ? ['hypotheses', i, 'verifier', name] : ['hypotheses', i, 'verifier'];
    const factory = lookup(scope, name, path, {
      kind: 'verifiers',
      what: 'verifier',
      expected: 'a verifier factory made with verifier(fn, defaults)',
      accept: isVerifierFactory,
      builtins: builtinVerifiers,
      builtinsLabel: 'built-in (@crystallize/stats)',
    });
    if (!factory) return;
    const known = Object.keys(factory.defaults);
    const unknown = Object.keys(params).filter((k) => !known.includes(k));
    for (const k of unknown) {
      scope.issues.push(
        scope.source.issue(
          [...path, k],
          `verifier '${name}' has no parameter '${k}'.${didYouMean(k, known)} Its parameters: ${listNames(known)}.`,
          true,
        ),
      );
    }
    if (unknown.length) return;
    try {
      const rankBy = h.rank_by;
      out.push(
        new Hypothesis(
          {
            verifier: factory(params),
            ...(h.metrics !== undefined ? { metrics: h.metrics as MetricSelection } : {}),
            ...(h.name !== undefined ? { name: h.name } : {}),
            ...(h.adjust !== undefined ? { adjust: stats.pValueAdjustment(h.adjust) } : {}),
          },
          rankBy === undefined
            ? undefined
            : (r: unknown) => Number((r as Record<string, unknown>)[rankBy]),
        ),
      );
    } catch (e) {
      scope.issues.push(scope.source.issue(path, (e as Error).message));
    }
  });
  return out;
}
