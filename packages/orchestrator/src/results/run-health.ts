import { closest, distance } from 'fastest-levenshtein';
import type { Logger } from '@crystallize/core';

/** Replicates of one condition that produced no metrics. */
export interface ConditionFailure {
  readonly condition: string;
  /** Replicates whose run threw. */
  readonly failed: number;
  /** Replicates not run because their baseline failed (treatments only). */
  readonly skipped: number;
  /** Replicates planned for this condition. */
  readonly total: number;
  /** The message of the first failure, in replicate order (or why replicates were skipped). */
  readonly firstError: string;
}

/** A hypothesis that could not be tested for some treatment (or could not be adjusted/ranked). */
export interface HypothesisFailure {
  readonly name: string;
  /** `{ treatment | 'adjust' | 'ranking': message }` */
  readonly errors: Readonly<Record<string, string>>;
}

/** What went wrong in a run, in one place; empty lists when `result.ok`. */
export interface RunFailures {
  readonly conditions: readonly ConditionFailure[];
  readonly hypotheses: readonly HypothesisFailure[];
}

/** A treatment key no step read during the run: the treatment changed nothing through it. */
export interface UnusedTreatmentKey {
  readonly treatment: string;
  readonly key: string;
  /** The nearest key that was read or declared as a `@Param`, when one is close. */
  readonly suggestion?: string;
}

/**
 * The nearest candidate to a mistyped key, or undefined when none is close: a Levenshtein
 * distance of at most 40% of the key's length (at least 1), so `shfit` suggests `shift` (a
 * swap is 2 edits) but `lr` does not suggest `seed`.
 */
export function suggestKey(key: string, candidates: Iterable<string>): string | undefined {
  const pool = [...new Set(candidates)].filter((c) => c !== key);
  if (pool.length === 0) return undefined;
  const best = closest(key, pool);
  return distance(key, best) <= Math.max(1, Math.round(key.length * 0.4)) ? best : undefined;
}

/** The unused-key warning: `'shfit' was set by treatment 'typo' but no step read it — did you mean 'shift'?` */
export function unusedKeyMessage(u: UnusedTreatmentKey): string {
  return (
    `'${u.key}' was set by treatment '${u.treatment}' but no step read it` +
    (u.suggestion ? ` — did you mean '${u.suggestion}'?` : ' (no @Param or ctx.get uses that key)')
  );
}

/**
 * End-of-run lines: an error per condition whose every replicate failed, a warning for partial
 * failures, an error per failed hypothesis and a warning per unused treatment key.
 */
export function logRunHealth(
  logger: Logger,
  failures: RunFailures,
  unused: readonly UnusedTreatmentKey[],
): void {
  for (const c of failures.conditions) {
    const lost = c.failed + c.skipped;
    const fields = { condition: c.condition, failed: c.failed, skipped: c.skipped, total: c.total };
    const detail =
      `${c.failed} failed` +
      (c.skipped ? `, ${c.skipped} skipped (baseline failed)` : '') +
      `; first error: ${c.firstError}`;
    if (lost >= c.total)
      logger.error(
        fields,
        `condition '${c.condition}': every replicate failed (${lost}/${c.total}): ${detail}`,
      );
    else
      logger.warn(
        fields,
        `condition '${c.condition}': ${lost}/${c.total} replicates lost: ${detail}`,
      );
  }
  for (const h of failures.hypotheses) {
    logger.error(
      { hypothesis: h.name, errors: h.errors },
      `hypothesis '${h.name}' failed: ${Object.entries(h.errors)
        .map(([k, m]) => `${k}: ${m}`)
        .join('; ')}`,
    );
  }
  for (const u of unused) logger.warn({ treatment: u.treatment, key: u.key }, unusedKeyMessage(u));
}
