import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { SerializedError } from '../execution/replicate-outcome.js';
import type { StepRecord } from '../pipeline/step-record.js';
import { markerPath, provenancePath, resultsPath } from '../artifacts/layout.js';

/** What `<condition>/results.json` holds. */
export interface StoredConditionSummary {
  readonly condition: string;
  /** Hash of everything that determines this condition's results; resume compares it. */
  readonly fingerprint: string;
  /** The parts of the fingerprint, so a mismatch can say what changed. */
  readonly fingerprintParts: Readonly<Record<string, string>>;
  readonly replicates: number;
  readonly seeds: readonly number[];
  readonly metrics: Readonly<Record<string, readonly unknown[]>>;
  readonly errors: Readonly<Record<string, SerializedError>>;
  readonly artifacts: readonly {
    readonly name: string;
    readonly step: string;
    readonly path: string;
    readonly replicate: number;
  }[];
}

/** A stored condition as resume loads it: `results.json` plus its `provenance.jsonl`. */
export interface StoredCondition extends StoredConditionSummary {
  readonly provenance: Readonly<Record<string, readonly StepRecord[]>>;
}

/** Reads a completed condition from a version folder; undefined when absent or incomplete. */
export function readCompletedCondition(
  dir: string,
  condition: string,
): StoredCondition | undefined {
  if (!existsSync(markerPath(dir, condition)) || !existsSync(resultsPath(dir, condition)))
    return undefined;
  try {
    const summary = JSON.parse(
      readFileSync(resultsPath(dir, condition), 'utf8'),
    ) as StoredConditionSummary;
    return { ...summary, provenance: readProvenance(provenancePath(dir, condition)) };
  } catch {
    return undefined; // an unreadable results file is not a completed condition
  }
}

/**
 * A StepRecord as stored: `inputHash` is left out (it is the previous step's `outputHash`, or the
 * line's `input` for the first step) and empty context changes are omitted — provenance is
 * written for every step call, so its size is the cost of storing it.
 */
type CompactRecord = Omit<StepRecord, 'inputHash' | 'ctxChanges'> & {
  ctxChanges?: Partial<StepRecord['ctxChanges']>;
};

const NONE: readonly never[] = Object.freeze([]);

function compact(r: StepRecord): CompactRecord {
  const { inputHash: _input, ctxChanges, ...rest } = r;
  const changes: Partial<StepRecord['ctxChanges']> = {};
  if (ctxChanges.reads.length) Object.assign(changes, { reads: ctxChanges.reads });
  if (Object.keys(ctxChanges.wrote).length) Object.assign(changes, { wrote: ctxChanges.wrote });
  if (ctxChanges.metrics.length) Object.assign(changes, { metrics: ctxChanges.metrics });
  return Object.keys(changes).length ? { ...rest, ctxChanges: changes } : rest;
}

function expand(r: CompactRecord, inputHash: string): StepRecord {
  const { ctxChanges, ...rest } = r;
  return {
    ...rest,
    inputHash,
    ctxChanges: {
      reads: ctxChanges?.reads ?? NONE,
      wrote: ctxChanges?.wrote ?? {},
      metrics: ctxChanges?.metrics ?? NONE,
    },
  };
}

/** Provenance is kept apart from results.json, one JSON line per replicate, so it streams. */
export function writeProvenance(
  path: string,
  provenance: Iterable<readonly [number, readonly StepRecord[]]>,
): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    // Small batches: a long-lived concatenation would be promoted to the old generation as
    // garbage and inflate the process's peak memory on long runs.
    let batch = '';
    for (const [replicate, records] of provenance) {
      batch += `${JSON.stringify({ replicate, input: records[0]?.inputHash, records: records.map(compact) })}\n`;
      if (batch.length > 1 << 16) {
        writeSync(fd, batch);
        batch = '';
      }
    }
    if (batch) writeSync(fd, batch);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function readProvenance(path: string): Record<string, readonly StepRecord[]> {
  const out: Record<string, readonly StepRecord[]> = {};
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const { replicate, input, records } = JSON.parse(line) as {
      replicate: number;
      input: string;
      records: CompactRecord[];
    };
    let inputHash = input;
    out[replicate] = records.map((r) => {
      const full = expand(r, inputHash);
      inputHash = r.outputHash;
      return full;
    });
  }
  return out;
}
