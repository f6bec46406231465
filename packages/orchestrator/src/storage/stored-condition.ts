import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@crystallize/cache/internal';
import type { ArtifactContentType } from '../artifacts/content-type.js';
import type { SerializedError } from '../model/outcome.js';
import type { StepRecord } from '../model/step-record.js';
import { readJournal, type JournalEntry } from './journal.js';
import { JOURNAL_FILE, markerPath, provenancePath, resultsPath, versionOf } from './run-layout.js';
import { ProvenanceStore } from './provenance-store.js';
import { fromStoredJson } from './stored-json.js';

/** What `<condition>/results.json` holds. */
export interface StoredConditionSummary {
  readonly condition: string;
  /** Hash of everything that determines this condition's results; resume compares it. */
  readonly fingerprint: string;
  /** The parts of the fingerprint, so a mismatch can say what changed. */
  readonly fingerprintParts: Readonly<Record<string, string>>;
  readonly replicates: number;
  /**
   * Whether every replicate succeeded: written inside results.json itself (one atomic rename with
   * the metrics), so a marker left by an earlier run never vouches for a newer partial file.
   * Absent in stores written before it existed.
   */
  readonly complete?: boolean;
  readonly seeds: readonly number[];
  readonly metrics: Readonly<Record<string, readonly unknown[]>>;
  readonly errors: Readonly<Record<string, SerializedError>>;
  readonly artifacts: readonly {
    readonly name: string;
    readonly step: string;
    readonly path: string;
    readonly replicate: number;
    readonly contentType?: ArtifactContentType;
  }[];
}

/** A stored condition as resume loads it: `results.json` plus its `provenance.jsonl`. */
export interface StoredCondition extends StoredConditionSummary {
  readonly provenance: Readonly<Record<string, readonly StepRecord[]>>;
  /** The version folder (`v<N>`) it was read from. */
  readonly version: number;
}

/** What a caller expects of a completed condition (checked on top of its own consistency). */
export interface ExpectedCondition {
  readonly fingerprint?: string;
  /** The seed of each replicate, in replicate order. */
  readonly seeds?: readonly number[];
}

/**
 * Reads a completed condition from a version folder; undefined when absent, incomplete or
 * inconsistent. The marker alone is never trusted: results.json must not say `complete: false`,
 * and must hold what it claims — as many seeds as replicates, every metric column that long, no
 * error, one provenance line per replicate — and match `expected` (fingerprint, seeds).
 */
export function readCompletedCondition(
  dir: string,
  condition: string,
  expected: ExpectedCondition = {},
): StoredCondition | undefined {
  if (!existsSync(markerPath(dir, condition))) return undefined;
  const stored = readStoredCondition(dir, condition);
  if (!stored || inconsistency(stored, expected) !== undefined) return undefined;
  return stored;
}

/** Why a stored condition cannot count as complete, or undefined when it can. */
export function inconsistency(
  stored: StoredCondition,
  expected: ExpectedCondition = {},
): string | undefined {
  const n = stored.replicates;
  if (stored.complete === false) return 'results.json says it is incomplete';
  if (!Array.isArray(stored.seeds) || stored.seeds.length !== n)
    return `${stored.seeds?.length ?? 0} seeds stored for ${n} replicates`;
  for (const [metric, column] of Object.entries(stored.metrics ?? {})) {
    if (!Array.isArray(column) || column.length !== n)
      return `metric '${metric}' has ${Array.isArray(column) ? column.length : 0} values for ${n} replicates`;
  }
  if (Object.keys(stored.errors ?? {}).length > 0) return 'some replicates failed';
  const provenanceLines = Object.keys(stored.provenance).length;
  if (provenanceLines !== n)
    return `provenance has ${provenanceLines} replicate lines for ${n} replicates`;
  if (expected.fingerprint !== undefined && stored.fingerprint !== expected.fingerprint)
    return 'fingerprint differs';
  if (expected.seeds !== undefined && expected.seeds.some((s, i) => stored.seeds[i] !== s))
    return 'seeds differ from the seeds this run uses';
  return undefined;
}

/** A condition's `results.json` alone (no provenance); undefined when absent or unreadable. */
export function readConditionSummary(
  dir: string,
  condition: string,
): StoredConditionSummary | undefined {
  const path = resultsPath(dir, condition);
  if (!existsSync(path)) return undefined;
  try {
    return fromStoredJson<StoredConditionSummary>(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Reads a condition's `results.json` and provenance from a version folder, complete or not;
 * undefined when absent or unreadable.
 */
export function readStoredCondition(dir: string, condition: string): StoredCondition | undefined {
  const summary = readConditionSummary(dir, condition);
  if (!summary) return undefined;
  try {
    return {
      ...summary,
      provenance: readConditionProvenance(dir, condition, summary),
      version: versionOf(dir),
    };
  } catch {
    return undefined; // an unreadable results file is not a stored condition
  }
}

/** Writes `provenance.jsonl` from its lines, in small batches, atomically. */
export function writeProvenance(path: string, lines: Iterable<string>): void {
  writeFileAtomicSync(path, withNewlines(lines));
}

function* withNewlines(lines: Iterable<string>): Iterable<string> {
  for (const line of lines) yield `${line}\n`;
}

/** The last journal read, by path, size and time: reading a run reads it once for all conditions. */
let journalMemo: { key: string; entries: JournalEntry[] } | undefined;

function journalOf(dir: string): JournalEntry[] {
  const path = join(dir, JOURNAL_FILE);
  if (!existsSync(path)) return [];
  const st = statSync(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  if (journalMemo?.key !== key) journalMemo = { key, entries: readJournal(path) };
  return journalMemo.entries;
}

/**
 * A stored condition's step records per replicate: its `provenance.jsonl` when the run wrote one,
 * otherwise the run journal's — the last intact line of each replicate for this condition with
 * the condition's fingerprint, the replicate's stored seed and no error (a run that journalled every
 * replicate of a condition keeps its provenance there only; see ArtifactPlugin).
 */
export function readConditionProvenance(
  dir: string,
  condition: string,
  summary: Pick<StoredConditionSummary, 'fingerprint' | 'seeds' | 'replicates'>,
): Record<string, readonly StepRecord[]> {
  const path = provenancePath(dir, condition);
  if (existsSync(path)) return ProvenanceStore.parse(readFileSync(path, 'utf8'));
  const out: Record<string, readonly StepRecord[]> = {};
  for (const entry of journalOf(dir)) {
    const r = entry.replicate;
    if (!(r >= 0 && r < summary.replicates)) continue;
    for (const c of entry.conditions) {
      // A failed replicate's records are not provenance (provenance.jsonl never held them).
      if (c.condition !== condition || c.fingerprint !== summary.fingerprint || c.error) continue;
      if (summary.seeds?.[r] !== undefined && !Object.is(summary.seeds[r], c.seed)) continue;
      out[r] = c.records;
    }
  }
  return out;
}
