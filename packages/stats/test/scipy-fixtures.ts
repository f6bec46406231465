import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Reads a fixture written by scripts/make-fixtures.py, mapping "NaN"/"Infinity" back to numbers. */
export function loadFixture<T>(name: string): { scipy: string; cases: T[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  const text = readFileSync(join(here, 'fixtures', 'scipy', name), 'utf8');
  return JSON.parse(text, (_k, v: unknown) =>
    v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
  ) as { scipy: string; cases: T[] };
}

export const REL_TOL = 1e-9;

/**
 * Relative error of `actual` against `expected`; 0 when both are the same NaN/infinity. An
 * expected exact zero is compared absolutely (relative error is undefined there).
 */
export function relError(actual: number, expected: number): number {
  if (Number.isNaN(expected)) return Number.isNaN(actual) ? 0 : Infinity;
  if (!Number.isFinite(expected)) return actual === expected ? 0 : Infinity;
  if (expected === 0) return Math.abs(actual);
  return Math.abs(actual - expected) / Math.abs(expected);
}

/** Tracks the largest relative error seen per quantity, for the accuracy report. */
export class ErrorLedger {
  readonly #max = new Map<string, { err: number; where: string }>();

  record(quantity: string, actual: number, expected: number, where: string): number {
    const err = relError(actual, expected);
    const prev = this.#max.get(quantity);
    if (!prev || err > prev.err) this.#max.set(quantity, { err, where });
    return err;
  }

  report(): string {
    return [...this.#max.entries()]
      .map(
        ([q, { err, where }]) => `${q.padEnd(40)} max rel err ${err.toExponential(2)}  (${where})`,
      )
      .join('\n');
  }
}
