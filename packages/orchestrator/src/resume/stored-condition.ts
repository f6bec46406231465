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

/** A stored condition: `<condition>/results.json` plus its `provenance.jsonl`. */
export interface StoredCondition {
  readonly condition: string;
  /** Hash of everything that determines this condition's results; resume compares it. */
  readonly fingerprint: string;
  /** The parts of the fingerprint, so a mismatch can say what changed. */
  readonly fingerprintParts: Readonly<Record<string, string>>;
  readonly replicates: number;
  readonly seeds: readonly number[];
  readonly metrics: Readonly<Record<string, readonly unknown[]>>;
  readonly provenance: Readonly<Record<string, readonly StepRecord[]>>;
  readonly errors: Readonly<Record<string, SerializedError>>;
  readonly artifacts: readonly {
    readonly name: string;
    readonly step: string;
    readonly path: string;
    readonly replicate: number;
  }[];
}

/** Reads a completed condition from a version folder; undefined when absent or incomplete. */
export function readCompletedCondition(
  dir: string,
  condition: string,
): StoredCondition | undefined {
  if (!existsSync(markerPath(dir, condition)) || !existsSync(resultsPath(dir, condition)))
    return undefined;
  try {
    const summary = JSON.parse(readFileSync(resultsPath(dir, condition), 'utf8')) as Omit<
      StoredCondition,
      'provenance'
    >;
    return { ...summary, provenance: readProvenance(provenancePath(dir, condition)) };
  } catch {
    return undefined; // an unreadable results file is not a completed condition
  }
}

/** Provenance is kept apart from results.json, one JSON line per replicate, so it streams. */
export function writeProvenance(
  path: string,
  provenance: Readonly<Record<string, readonly StepRecord[]>>,
): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    let batch = '';
    for (const [replicate, records] of Object.entries(provenance)) {
      batch += `${JSON.stringify({ replicate: Number(replicate), records })}\n`;
      if (batch.length > 1 << 20) {
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
    const { replicate, records } = JSON.parse(line) as { replicate: number; records: StepRecord[] };
    out[replicate] = records;
  }
  return out;
}
