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
import type { ArtifactContentType } from '../artifacts/content-type.js';
import type { SerializedError } from '../model/outcome.js';
import type { StepRecord } from '../model/step-record.js';
import { markerPath, provenancePath, resultsPath } from './run-layout.js';
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

/** N of a `.../v<N>` folder (0 when the folder is not named so). */
function versionOf(dir: string): number {
  const m = /(?:^|[\\/])v(\d+)[\\/]*$/.exec(dir);
  return m ? Number(m[1]) : 0;
}

/** Reads a completed condition from a version folder; undefined when absent or incomplete. */
export function readCompletedCondition(
  dir: string,
  condition: string,
): StoredCondition | undefined {
  if (!existsSync(markerPath(dir, condition)) || !existsSync(resultsPath(dir, condition)))
    return undefined;
  try {
    const summary = fromStoredJson<StoredConditionSummary>(
      readFileSync(resultsPath(dir, condition), 'utf8'),
    );
    return {
      ...summary,
      provenance: readProvenance(provenancePath(dir, condition)),
      version: versionOf(dir),
    };
  } catch {
    return undefined; // an unreadable results file is not a completed condition
  }
}

/** Writes `provenance.jsonl` from its lines, in small batches, atomically. */
export function writeProvenance(path: string, lines: Iterable<string>): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    // Small batches: a long-lived concatenation would be promoted to the old generation as
    // garbage and inflate the process's peak memory on long runs.
    let batch = '';
    for (const line of lines) {
      batch += `${line}\n`;
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
  return existsSync(path) ? ProvenanceStore.parse(readFileSync(path, 'utf8')) : {};
}
