import type { HypothesisTreatmentSummary, Result } from '@crystallize/orchestrator';

/** What a jest matcher returns. */
export interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/** The part of jest's matcher `this` the matchers use (`.not`, for the message wording). */
interface MatcherThis {
  readonly isNot?: boolean;
}

export interface SignificanceOptions {
  /**
   * Significant when the (adjusted, if present) p-value is below `alpha`, instead of the
   * verifier's own `significant` / `significant_adjusted` verdict.
   */
  readonly alpha?: number;
}

type ResultLike = Pick<Result, 'errors' | 'metrics' | 'failures' | 'experiment'>;

function isResult(value: unknown): value is ResultLike {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Result>;
  return (
    typeof r.errors === 'object' &&
    r.errors !== null &&
    typeof r.metrics === 'object' &&
    r.metrics !== null &&
    Array.isArray(r.metrics.hypotheses)
  );
}

function notAResult(matcher: string, received: unknown): MatcherResult {
  const shown =
    received === null || typeof received !== 'object'
      ? String(received)
      : `an object with keys ${Object.keys(received).join(', ') || '(none)'}`;
  return {
    pass: false,
    message: () =>
      `${matcher}: expected a crystallize Result (what exp.run() or runExperiment() returns), received ${shown}`,
  };
}

function formatNumber(n: number | undefined): string {
  if (n === undefined) return 'n/a';
  return Math.abs(n) >= 1e-3 || n === 0 ? String(Number(n.toPrecision(4))) : n.toExponential(2);
}

function describeTest(s: HypothesisTreatmentSummary): string {
  const parts = [`p = ${formatNumber(s.p_value)}`];
  if (s.p_value_adjusted !== undefined)
    parts.push(`adjusted p = ${formatNumber(s.p_value_adjusted)}`);
  if (s.effect_size !== undefined) parts.push(`effect size = ${formatNumber(s.effect_size)}`);
  if (s.statistic !== undefined) parts.push(`statistic = ${formatNumber(s.statistic)}`);
  if (s.significant !== undefined) parts.push(`significant = ${String(s.significant)}`);
  if (s.significant_adjusted !== undefined)
    parts.push(`significant (adjusted) = ${String(s.significant_adjusted)}`);
  return parts.join(', ');
}

/**
 * Passes when treatment `treatment` of hypothesis `hypothesis` is significant: the verifier's
 * `significant_adjusted` verdict when the hypothesis adjusts p-values, else `significant`, or,
 * with `{ alpha }`, the (adjusted) p-value below `alpha`.
 */
export function toBeSignificant(
  this: MatcherThis | void,
  received: unknown,
  hypothesis: string,
  treatment: string,
  options: SignificanceOptions = {},
): MatcherResult {
  if (!isResult(received)) return notAResult('toBeSignificant', received);
  const h = received.metrics.hypotheses.find((x) => x.name === hypothesis);
  if (!h) {
    const names = received.metrics.hypotheses.map((x) => `'${x.name}'`).join(', ') || 'none';
    return {
      pass: false,
      message: () =>
        `toBeSignificant: the result has no hypothesis '${hypothesis}' (hypotheses: ${names})`,
    };
  }
  const summary = h.treatments[treatment];
  const error = h.errors[treatment];
  if (!summary || error !== undefined) {
    const names =
      Object.keys(h.treatments)
        .map((t) => `'${t}'`)
        .join(', ') || 'none';
    return {
      pass: false,
      message: () =>
        error !== undefined
          ? `toBeSignificant: hypothesis '${hypothesis}' could not be tested for treatment '${treatment}': ${error}`
          : `toBeSignificant: hypothesis '${hypothesis}' has no result for treatment '${treatment}' (treatments tested: ${names})`,
    };
  }
  let pass: boolean;
  let rule: string;
  if (options.alpha !== undefined) {
    const p = summary.p_value_adjusted ?? summary.p_value;
    if (p === undefined) {
      return {
        pass: false,
        message: () =>
          `toBeSignificant: hypothesis '${hypothesis}' reports no p-value for treatment '${treatment}' (${describeTest(summary)}); use a verifier that tests (welchTTest, mannWhitneyUTest, ...)`,
      };
    }
    pass = p < options.alpha;
    rule = `${summary.p_value_adjusted !== undefined ? 'adjusted p' : 'p'} < ${options.alpha}`;
  } else {
    const verdict = summary.significant_adjusted ?? summary.significant;
    if (verdict === undefined) {
      return {
        pass: false,
        message: () =>
          `toBeSignificant: hypothesis '${hypothesis}' reports no significance for treatment '${treatment}' (${describeTest(summary)}); its verifier gives no verdict — pass { alpha } to compare the p-value`,
      };
    }
    pass = verdict;
    rule =
      summary.significant_adjusted !== undefined
        ? "the verifier's adjusted verdict"
        : "the verifier's verdict";
  }
  const isNot = this !== undefined && this.isNot === true;
  return {
    pass,
    message: () =>
      `expected treatment '${treatment}' of hypothesis '${hypothesis}' ${isNot ? 'not ' : ''}to be significant (by ${rule}), but ${describeTest(summary)}`,
  };
}

function errorLines(result: ResultLike): string[] {
  const lines: string[] = [];
  for (const [key, err] of Object.entries(result.errors)) {
    lines.push(`  ${key}: ${err.name}: ${err.message}`);
  }
  for (const h of result.metrics.hypotheses) {
    for (const [where, message] of Object.entries(h.errors)) {
      lines.push(`  hypothesis '${h.name}' (${where}): ${message}`);
    }
  }
  const listed = new Set(result.metrics.hypotheses.map((h) => h.name));
  for (const f of result.failures?.hypotheses ?? []) {
    if (listed.has(f.name)) continue;
    for (const [where, message] of Object.entries(f.errors)) {
      lines.push(`  hypothesis '${f.name}' (${where}): ${message}`);
    }
  }
  for (const c of result.failures?.conditions ?? []) {
    if (c.skipped > 0) {
      lines.push(
        `  ${c.condition}: ${c.skipped} of ${c.total} replicate(s) skipped: ${c.firstError}`,
      );
    }
  }
  return lines;
}

/**
 * Passes when the run had no failed or skipped replicate and every hypothesis was tested; the
 * failure message lists each error (`<condition>_rep_<r>: PipelineExecutionError: ...`).
 */
export function toHaveNoErrors(this: MatcherThis | void, received: unknown): MatcherResult {
  if (!isResult(received)) return notAResult('toHaveNoErrors', received);
  const lines = errorLines(received);
  const name = received.experiment ? ` of '${received.experiment}'` : '';
  return {
    pass: lines.length === 0,
    message: () =>
      lines.length === 0
        ? `expected the run${name} to have errors, but it had none`
        : `expected the run${name} to have no errors, but it had ${lines.length}:\n${lines.join('\n')}`,
  };
}

/** The matchers, in the shape `expect.extend` takes. */
export const crystallizeMatchers = { toBeSignificant, toHaveNoErrors };

interface ExpectLike {
  extend(matchers: Record<string, unknown>): void;
}

/**
 * Registers the matchers with `expect` (jest's global one by default). Importing
 * `crystallize/testing` does this already when a global `expect` exists.
 */
export function registerMatchers(expectFn?: ExpectLike): boolean {
  const target = expectFn ?? (globalThis as { expect?: Partial<ExpectLike> }).expect;
  if (!target || typeof target.extend !== 'function') return false;
  target.extend(crystallizeMatchers);
  return true;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // Same type parameters as @types/jest's declaration (declarations must agree to merge).
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> {
      /**
       * Treatment `treatment` of hypothesis `hypothesis` is significant (adjusted verdict when
       * the hypothesis adjusts p-values; with `{ alpha }`, the p-value below it).
       */
      toBeSignificant(hypothesis: string, treatment: string, options?: SignificanceOptions): R;
      /** No replicate failed or was skipped and every hypothesis was tested. */
      toHaveNoErrors(): R;
    }
  }
}
