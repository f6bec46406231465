import { ValidationError } from '@crystallize/core';

/** `'holm'`: Holm–Bonferroni (family-wise error). `'bh'`: Benjamini–Hochberg (false discovery rate). */
export type AdjustmentMethod = 'holm' | 'bh';

/**
 * Adjusts p-values for multiple comparisons, as R's `p.adjust` (and statsmodels'
 * `multipletests`) with `'holm'` / `'BH'`. Compare the adjusted values with your alpha. NaN
 * entries stay NaN and do not count towards the number of tests.
 *
 * @example
 * adjustPValues([0.01, 0.04, 0.03], 'holm');              // [0.03, 0.06, 0.06]
 * adjustPValues({ fast: 0.01, cheap: 0.04 }, 'bh');       // { fast: 0.02, cheap: 0.04 }
 */
export function adjustPValues(pValues: readonly number[], method: AdjustmentMethod): number[];
export function adjustPValues(
  pValues: Readonly<Record<string, number>>,
  method: AdjustmentMethod,
): Record<string, number>;
export function adjustPValues(
  pValues: readonly number[] | Readonly<Record<string, number>>,
  method: AdjustmentMethod,
): number[] | Record<string, number> {
  if (method !== 'holm' && method !== 'bh') {
    throw new ValidationError(
      `unknown method ${JSON.stringify(method)}; use 'holm' or 'bh'.`,
      'adjustPValues',
    );
  }
  if (Array.isArray(pValues)) return adjustList(pValues as readonly number[], method);
  const keys = Object.keys(pValues);
  const adjusted = adjustList(
    keys.map((k) => (pValues as Readonly<Record<string, number>>)[k] as number),
    method,
  );
  return Object.fromEntries(keys.map((k, i) => [k, adjusted[i] as number]));
}

function adjustList(ps: readonly number[], method: AdjustmentMethod): number[] {
  const bad = ps.findIndex((p) => typeof p !== 'number' || p < 0 || p > 1);
  if (bad >= 0) {
    throw new ValidationError(
      `p-value at position ${bad} is ${String(ps[bad])}; p-values must be numbers in [0, 1] (or NaN).`,
      'adjustPValues',
    );
  }
  const out = ps.map(() => NaN);
  const order = ps
    .map((p, i) => [p, i] as const)
    .filter(([p]) => !Number.isNaN(p))
    .sort((a, b) => a[0] - b[0]);
  const m = order.length;
  if (method === 'holm') {
    let running = 0;
    order.forEach(([p, i], rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * p));
      out[i] = running;
    });
  } else {
    let running = 1;
    for (let rank = m - 1; rank >= 0; rank--) {
      const [p, i] = order[rank] as readonly [number, number];
      running = Math.min(running, (m / (rank + 1)) * p);
      out[i] = running;
    }
  }
  return out;
}

/** What `hypothesis({ ..., adjust })` takes: a named p-value correction. */
export interface PValueAdjustment {
  readonly method: string;
  adjust(pValues: readonly number[]): readonly number[];
}

/**
 * A p-value correction to give a hypothesis that compares several treatments with the baseline:
 * `hypothesis.adjust(results)` then adds `p_value_adjusted` and `adjustment` to every result.
 *
 * @example
 * hypothesis({ verifier: welchTTest(), metrics: 'sum', adjust: pValueAdjustment('holm') })
 */
export function pValueAdjustment(method: AdjustmentMethod): PValueAdjustment {
  adjustPValues([], method); // validates the method name now, not at the end of a run
  return Object.freeze({ method, adjust: (ps: readonly number[]) => adjustPValues(ps, method) });
}
