import { existsSync, readFileSync } from 'node:fs';
import type { SerializedError } from '../execution/replicate-outcome.js';
import type { StepRecord } from '../pipeline/step-record.js';
import { markerPath, resultsPath } from '../artifacts/layout.js';

/** What `<condition>/results.json` holds. */
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
    return JSON.parse(readFileSync(resultsPath(dir, condition), 'utf8')) as StoredCondition;
  } catch {
    return undefined; // an unreadable results file is not a completed condition
  }
}
