import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactContentType } from '../artifacts/content-type.js';
import {
  HYPOTHESES_FILE,
  MANIFEST_FILE,
  METADATA_FILE,
  listVersions,
  versionDir,
  versionOf,
} from './run-layout.js';
import { readStoredCondition, type StoredCondition } from './stored-condition.js';
import { fromStoredJson } from './stored-json.js';

/** What `metadata.json` of a stored run holds. */
export interface StoredRunMetadata {
  readonly experiment: string;
  readonly description?: string;
  readonly ok?: boolean;
  readonly version: number;
  readonly replicates: number;
  readonly conditions: readonly string[];
  readonly reused: readonly string[];
  readonly pipeline: string;
  readonly pipelineSignature: string;
  readonly strategy: string;
  readonly aborted: boolean;
  readonly completedAt: string;
}

/** One artifact of `_manifest.json`: the step that wrote it, its files and how each was written. */
export interface StoredManifestEntry {
  readonly step: string;
  readonly files: readonly string[];
  readonly contentTypes?: Readonly<Record<string, ArtifactContentType>>;
}

export type StoredManifest = Readonly<Record<string, StoredManifestEntry>>;

/** A whole stored run (one `v<N>` folder), read back. */
export interface StoredRun {
  readonly dir: string;
  readonly version: number;
  readonly metadata: StoredRunMetadata;
  readonly manifest: StoredManifest;
  /** Per condition: its `results.json` and provenance, complete or not (absent when unreadable). */
  readonly conditions: Readonly<Record<string, StoredCondition>>;
  /** `hypotheses.json`, when the run tested any. */
  readonly hypotheses: readonly unknown[];
}

/** The metadata of the run in `dir`, or undefined when it has none (never finished). */
export function readRunMetadata(dir: string): StoredRunMetadata | undefined {
  const path = join(dir, METADATA_FILE);
  if (!existsSync(path)) return undefined;
  return fromStoredJson<StoredRunMetadata>(readFileSync(path, 'utf8'));
}

/** The `_manifest.json` of the run in `dir` (empty when absent). */
export function readManifest(dir: string): StoredManifest {
  const path = join(dir, MANIFEST_FILE);
  return existsSync(path) ? fromStoredJson<StoredManifest>(readFileSync(path, 'utf8')) : {};
}

/**
 * A signature of the run in `dir` that changes when a new run is stored there: metadata.json's
 * text (it holds the completion time) and the manifest's size and mtime — so a reader can keep
 * what it parsed until the run is replaced, even when two runs land within one mtime tick.
 */
export function runStamp(dir: string): string | undefined {
  const metaPath = join(dir, METADATA_FILE);
  if (!existsSync(metaPath)) return undefined;
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifestStat = existsSync(manifestPath) ? statSync(manifestPath) : undefined;
  return `${readFileSync(metaPath, 'utf8')}|${manifestStat?.mtimeMs}|${manifestStat?.size}`;
}

/**
 * Reads the stored run in `dir` (a `<root>/<experiment>/v<N>` folder) back: metadata, manifest,
 * every condition's results and provenance, hypotheses. Undefined when no run finished there.
 *
 * @example
 * const run = readStoredRun('data/my-exp/v0');
 * run?.conditions.baseline?.metrics; // { accuracy: [0.91, 0.93] }
 */
export function readStoredRun(dir: string): StoredRun | undefined {
  const metadata = readRunMetadata(dir);
  if (!metadata) return undefined;
  const conditions: Record<string, StoredCondition> = {};
  for (const c of metadata.conditions ?? []) {
    const stored = readStoredCondition(dir, c);
    if (stored) conditions[c] = stored;
  }
  const hypothesesPath = join(dir, HYPOTHESES_FILE);
  return {
    dir,
    version: versionOf(dir),
    metadata,
    manifest: readManifest(dir),
    conditions,
    hypotheses: existsSync(hypothesesPath)
      ? fromStoredJson<unknown[]>(readFileSync(hypothesesPath, 'utf8'))
      : [],
  };
}

/** Every stored run of one experiment folder (`<root>/<experiment>`), oldest first. */
export function readStoredRuns(experimentDir: string): StoredRun[] {
  return listVersions(experimentDir)
    .map((v) => readStoredRun(versionDir(experimentDir, v)))
    .filter((r): r is StoredRun => r !== undefined);
}
