import { ValidationError } from '../errors.js';

/** The samples of one metric group for one condition: `{ metricName: values[] }`. */
export type MetricSamples = Readonly<Record<string, readonly number[]>>;

export type VerifierParams = Record<string, unknown>;

/** Tests treatment against baseline for one metric group. */
export interface Verifier<R = unknown, P extends VerifierParams = VerifierParams> {
  (baseline: MetricSamples, treatment: MetricSamples): R;
  readonly verifierName: string;
  readonly params: Readonly<P>;
}

/** Makes {@link Verifier}s; call with overrides of the defaults, or with none. */
export interface VerifierFactory<P extends VerifierParams = VerifierParams, R = unknown> {
  (overrides?: Partial<P>): Verifier<R, P>;
  readonly verifierName: string;
  readonly defaults: Readonly<P>;
}

export type VerifierFn<P extends VerifierParams, R> = (
  baseline: MetricSamples,
  treatment: MetricSamples,
  params: Readonly<P>,
) => R;

/**
 * Declares a verifier with default parameters. Overrides are checked: a misspelt parameter is
 * an error naming it, not a silently ignored option.
 *
 * @example
 * const meanGap = verifier((b, t, { min }) => ({ gap: mean(t.x) - mean(b.x) > min }), { min: 0 });
 * const v = meanGap({ min: 0.5 });   // a Verifier
 * v({ x: [1, 2] }, { x: [3, 4] });    // { gap: true }
 */
export function verifier<P extends VerifierParams, R>(
  fn: VerifierFn<P, R>,
  defaults: P = {} as P,
  options: { readonly name?: string } = {},
): VerifierFactory<P, R> {
  const verifierName = options.name ?? (fn.name || 'verifier');
  const frozenDefaults = Object.freeze({ ...defaults });
  const factory = (overrides: Partial<P> = {}): Verifier<R, P> => {
    const unknown = Object.keys(overrides).filter(
      (k) => !Object.prototype.hasOwnProperty.call(frozenDefaults, k),
    );
    if (unknown.length > 0) {
      const known = Object.keys(frozenDefaults);
      throw new ValidationError(
        `Verifier '${verifierName}' has no parameter ${unknown.map((k) => `'${k}'`).join(', ')}. ` +
          `Known parameters: ${known.length ? known.map((k) => `'${k}'`).join(', ') : '(none)'}.`,
      );
    }
    const params = Object.freeze({ ...frozenDefaults, ...overrides }) as Readonly<P>;
    const run = ((baseline: MetricSamples, treatment: MetricSamples) =>
      fn(baseline, treatment, params)) as Verifier<R, P>;
    Object.defineProperties(run, {
      verifierName: { value: verifierName },
      params: { value: params },
    });
    return run;
  };
  Object.defineProperties(factory, {
    verifierName: { value: verifierName },
    defaults: { value: frozenDefaults },
  });
  return factory as VerifierFactory<P, R>;
}

export function isVerifierFactory(value: unknown): value is VerifierFactory {
  return typeof value === 'function' && 'defaults' in value && 'verifierName' in value;
}
