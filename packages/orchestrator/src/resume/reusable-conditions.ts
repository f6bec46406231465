import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentModel } from '../model/experiment-model.js';
import { runStoreOf, seederOf } from '../model/experiment-model.js';
import type { ConditionOutcome } from '../model/outcome.js';
import { readJournal } from '../storage/journal.js';
import { JOURNAL_FILE, markerPath } from '../storage/run-layout.js';
import {
  inconsistency,
  readStoredCondition,
  type StoredCondition,
} from '../storage/stored-condition.js';
import { describeMismatch, type ConditionFingerprint } from './fingerprint.js';

/** A replicate's condition reused from a journal, and the run folder it was stored in. */
export interface ReusedReplicate {
  readonly outcome: ConditionOutcome;
  readonly fromDir: string;
}

/** What resume can take from stored runs, and why the rest runs again. */
export interface Reusable {
  /** Conditions whose stored results.json is complete, consistent and matches the fingerprint. */
  readonly reused: ReadonlyMap<string, StoredCondition>;
  /** The folder each of `reused` was read from. */
  readonly reusedFrom: ReadonlyMap<string, string>;
  /**
   * Per replicate, the conditions (not in `reused`) whose journalled outcome can be reused: same
   * fingerprint, the seed this run uses for that replicate, no error.
   */
  readonly replicates: ReadonlyMap<number, ReadonlyMap<string, ReusedReplicate>>;
  /** Conditions with nothing left to run (whole in `reused`, or every replicate journalled). */
  readonly complete: ReadonlySet<string>;
  /** Why each condition (partly) reruns, for the run log. */
  readonly rerunReasons: ReadonlyMap<string, string>;
  /** Per condition, how many replicates are reused (whole or from journals). */
  readonly reusedCounts: ReadonlyMap<string, number>;
}

const NOTHING: Reusable = {
  reused: new Map(),
  reusedFrom: new Map(),
  replicates: new Map(),
  complete: new Set(),
  rerunReasons: new Map(),
  reusedCounts: new Map(),
};

/** No reuse at all (a fresh run). */
export function nothingReusable(): Reusable {
  return NOTHING;
}

/**
 * The one place that decides what `resume` reuses, per condition AND per replicate, from the
 * folders the experiment's run store names (`resumeSources`, best first: the unfinished run being
 * continued, then the newest finished one): a condition whose results.json is complete and
 * consistent (see `inconsistency`) with a matching fingerprint is reused whole; otherwise each
 * replicate whose journal line has the condition's fingerprint, the expected seed and no error.
 * `Experiment.run` and `ExperimentGraph` (deciding whether a node would run at all) both ask here.
 */
export function reusableConditions(
  experiment: Pick<ExperimentModel, 'name' | 'plugins'>,
  conditions: readonly string[],
  fingerprints: Readonly<Record<string, ConditionFingerprint>>,
): Reusable {
  const store = runStoreOf(experiment);
  const sources = store
    ? (store.resumeSources?.(experiment) ??
      [store.latestDir(experiment)].filter((d): d is string => !!d))
    : [];
  if (sources.length === 0) return NOTHING;
  const seeder = seederOf(experiment);
  const seedFor = (rep: number): number => seeder?.seedFor(rep) ?? rep;
  const reused = new Map<string, StoredCondition>();
  const reusedFrom = new Map<string, string>();
  const rerunReasons = new Map<string, string>();
  const whyNot = new Map<string, string>();
  for (const c of conditions) {
    const current = fingerprints[c];
    if (!current) continue;
    const n = Number(current.parts['replicates'] ?? 0);
    const seeds = Array.from({ length: n }, (_, i) => seedFor(i));
    for (const dir of sources) {
      const stored = readStoredCondition(dir, c);
      if (!stored) continue;
      // The marker is required but never trusted alone: results.json must hold what it claims.
      const problem = !hasMarker(dir, c)
        ? 'no completed results stored'
        : stored.fingerprint !== current.hash
          ? describeMismatch(stored.fingerprintParts, current.parts)
          : inconsistency(stored, { seeds });
      if (problem === undefined) {
        reused.set(c, stored);
        reusedFrom.set(c, dir);
        break;
      }
      if (!whyNot.has(c)) whyNot.set(c, problem);
    }
  }
  // Per replicate: journal lines, from the best source first.
  const replicates = new Map<number, Map<string, ReusedReplicate>>();
  const reasons = new Map<string, { fingerprint: number; seed: number; error: number }>();
  for (const dir of sources) {
    for (const entry of readJournal(join(dir, JOURNAL_FILE))) {
      for (const jc of entry.conditions) {
        const current = fingerprints[jc.condition];
        if (!current || reused.has(jc.condition)) continue;
        const n = Number(current.parts['replicates'] ?? 0);
        if (!Number.isInteger(entry.replicate) || entry.replicate < 0 || entry.replicate >= n)
          continue;
        const r = reasons.get(jc.condition) ?? { fingerprint: 0, seed: 0, error: 0 };
        reasons.set(jc.condition, r);
        if (jc.fingerprint !== current.hash) r.fingerprint += 1;
        else if (jc.seed !== seedFor(entry.replicate)) r.seed += 1;
        else if (jc.error) r.error += 1;
        else {
          let byCondition = replicates.get(entry.replicate);
          if (!byCondition) replicates.set(entry.replicate, (byCondition = new Map()));
          if (byCondition.has(jc.condition)) continue;
          byCondition.set(jc.condition, {
            fromDir: dir,
            outcome: {
              condition: jc.condition,
              replicate: entry.replicate,
              seed: jc.seed,
              metrics: jc.metrics,
              records: jc.records,
              artifacts: jc.artifacts,
            },
          });
        }
      }
    }
  }
  const complete = new Set<string>(reused.keys());
  const reusedCounts = new Map<string, number>();
  for (const c of conditions) {
    const current = fingerprints[c];
    if (!current) continue;
    const n = Number(current.parts['replicates'] ?? 0);
    if (reused.has(c)) {
      reusedCounts.set(c, n);
      continue;
    }
    let count = 0;
    for (const byCondition of replicates.values()) if (byCondition.has(c)) count += 1;
    reusedCounts.set(c, count);
    if (count === n && n > 0) {
      complete.add(c);
      continue;
    }
    const r = reasons.get(c);
    const base = whyNot.get(c) ?? 'no completed results stored';
    const notes = [
      r?.seed ? `${r.seed} journalled with another seed` : '',
      r?.error ? `${r.error} journalled as failed` : '',
    ].filter(Boolean);
    rerunReasons.set(
      c,
      count === 0 && notes.length === 0
        ? base
        : `${base}; reused ${count} of ${n} replicates from the journal` +
            `${notes.length ? ` (${notes.join(', ')})` : ''}, running ${n - count}`,
    );
  }
  return { reused, reusedFrom, replicates, complete, rerunReasons, reusedCounts };
}

function hasMarker(dir: string, condition: string): boolean {
  return existsSync(markerPath(dir, condition));
}

/** Whether resume would reuse every condition (nothing left to run). */
export function everyConditionReusable(
  experiment: Pick<ExperimentModel, 'name' | 'plugins'>,
  fingerprints: Readonly<Record<string, ConditionFingerprint>>,
): boolean {
  const conditions = Object.keys(fingerprints);
  return (
    reusableConditions(experiment, conditions, fingerprints).complete.size === conditions.length
  );
}
