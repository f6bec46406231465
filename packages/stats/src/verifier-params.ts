import { ValidationError } from '@crystallize/core';

/**
 * Which difference a test looks for, always read as *treatment versus baseline* (SciPy's
 * `alternative` with the treatment as the first sample): `'greater'` means the treatment's
 * values tend to be larger.
 */
export type Alternative = 'two-sided' | 'less' | 'greater';

// A type alias (not an interface) so it and the types built on it satisfy core's
// `VerifierParams` index signature while keeping misspelt options a compile-time error.
/** The parameters every stats verifier takes; each verifier's own parameters extend them. */
export type CommonParams = {
  /** Significance level; `significant` is `p_value < alpha` and the CI level is `1 - alpha`. */
  alpha: number;
  alternative: Alternative;
};

const ALTERNATIVES: readonly string[] = ['two-sided', 'less', 'greater'];

/** Checks the parameters every verifier shares; throws a ValidationError naming the verifier. */
export function checkCommonParams(
  verifierName: string,
  params: { readonly alpha: unknown; readonly alternative?: unknown },
): void {
  const problems: string[] = [];
  const { alpha, alternative } = params;
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) {
    problems.push(`'alpha' must be a number strictly between 0 and 1, got ${String(alpha)}.`);
  }
  if ('alternative' in params && !ALTERNATIVES.includes(alternative as string)) {
    problems.push(
      `'alternative' must be 'two-sided', 'less' or 'greater', got ${JSON.stringify(alternative)}.`,
    );
  }
  if (problems.length > 0) throw new ValidationError(problems, `Verifier '${verifierName}'`);
}

/** Throws unless `value` is one of `allowed`. */
export function checkChoice(
  verifierName: string,
  param: string,
  value: unknown,
  allowed: readonly string[],
): void {
  if (!allowed.includes(value as string)) {
    throw new ValidationError(
      `'${param}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}.`,
      `Verifier '${verifierName}'`,
    );
  }
}

/** Throws unless `value` is an integer of at least `min` (default 1). */
export function checkInteger(verifierName: string, param: string, value: unknown, min = 1): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ValidationError(
      `'${param}' must be an integer >= ${min}, got ${String(value)}.`,
      `Verifier '${verifierName}'`,
    );
  }
}
