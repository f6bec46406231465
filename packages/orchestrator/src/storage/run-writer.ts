import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomicSync as writeFileAtomicRaw } from '@crystallize/cache/internal';
import {
  HYPOTHESES_FILE,
  MANIFEST_FILE,
  METADATA_FILE,
  JOURNAL_FILE,
  RETAINED_FILES,
  isFinished,
  markerPath,
  previousDir,
  stagingDir,
  versionDir,
  provenancePath,
  resultsPath,
} from './run-layout.js';
import type { StoredConditionSummary } from './stored-condition.js';
import { writeProvenance } from './stored-condition.js';
import { storing } from './storage-failure.js';
import { toStoredJson } from './stored-json.js';
import { readRunMetadata, type StoredManifest, type StoredRunMetadata } from './stored-run.js';

/** An atomic write whose file-system failure is a StorageError naming the file. */
function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  storing(path, () => writeFileAtomicRaw(path, data));
}

/*
 * Writing a stored run (SPEC §8), every file atomically (readers see the old file or the new
 * one, never half): the ArtifactPlugin decides *when*, this module decides *what and where*.
 */

/** An artifact file a step wrote, at its path relative to the run folder. */
export function writeArtifactFile(
  runDir: string,
  relPath: string,
  data: string | Uint8Array,
): void {
  writeFileAtomicSync(join(runDir, relPath), data);
}

/**
 * A condition's `provenance.jsonl`, `results.json` and completion marker, in that order: the
 * stale marker goes first, results.json (with `complete` inside, one atomic rename) comes after
 * the provenance it describes, the marker last — present only when every replicate succeeded.
 * A crash between any two leaves a folder that resume reads as incomplete or as consistent.
 * `provenanceLines` undefined: the run journal (already written) holds the provenance, and a
 * `provenance.jsonl` left by an earlier run in this folder is removed.
 */
export function writeConditionResults(
  runDir: string,
  summary: StoredConditionSummary,
  provenanceLines: Iterable<string> | undefined,
  complete: boolean,
): void {
  const condition = summary.condition;
  const marker = markerPath(runDir, condition);
  const provenance = provenancePath(runDir, condition);
  storing(marker, () => rmSync(marker, { force: true }));
  storing(provenance, () =>
    provenanceLines === undefined
      ? rmSync(provenance, { force: true })
      : writeProvenance(provenance, provenanceLines),
  );
  writeFileAtomicSync(resultsPath(runDir, condition), toStoredJson({ ...summary, complete }));
  if (complete) writeFileAtomicSync(marker, new Date().toISOString());
}

/**
 * Brings artifact files of reused replicates from the run folder they were stored in into this
 * run's folder (hard links; a copy where links are refused), so every artifact path this run
 * lists stays valid in its own folder. Files already there, or gone at the source, are skipped.
 */
export function linkArtifactFiles(
  fromDir: string,
  toDir: string,
  relPaths: Iterable<string>,
): void {
  if (fromDir === toDir) return;
  for (const rel of relPaths) {
    if (!rel) continue;
    const from = join(fromDir, rel);
    const to = join(toDir, rel);
    if (existsSync(to) || !existsSync(from)) continue;
    mkdirSync(dirname(to), { recursive: true });
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
    }
  }
}

/**
 * An unversioned run's end: its staging folder takes the place of `v0` — rename v0 to `.v0.prev`,
 * `.v0.next` to v0, remove `.v0.prev`. At every instant a complete run is readable: v0, or
 * `.v0.prev` while v0 is missing (readers fall back to it; `recoverSwap` repairs it).
 */
export function swapStagingIntoPlace(experimentDir: string): void {
  const v0 = versionDir(experimentDir, 0);
  const prev = previousDir(experimentDir);
  if (existsSync(prev)) rmSync(prev, { recursive: true, force: true });
  if (existsSync(v0)) renameSync(v0, prev);
  renameSync(stagingDir(experimentDir), v0);
  rmSync(prev, { recursive: true, force: true });
}

/**
 * Repairs a swap a crash interrupted (call holding the v0 lock): v0 missing beside `.v0.prev` —
 * finish the swap when the staged run finished without being aborted, else put `.v0.prev` back;
 * v0 present beside `.v0.prev` — the old one is no longer needed.
 */
export function recoverSwap(experimentDir: string): void {
  const v0 = versionDir(experimentDir, 0);
  const prev = previousDir(experimentDir);
  const next = stagingDir(experimentDir);
  if (!existsSync(prev)) return;
  if (existsSync(v0)) {
    rmSync(prev, { recursive: true, force: true });
    return;
  }
  if (isFinished(next) && readRunMetadata(next)?.aborted === false) {
    renameSync(next, v0);
    rmSync(prev, { recursive: true, force: true });
  } else {
    renameSync(prev, v0);
  }
}

/** The run-level files: `_manifest.json`, `hypotheses.json` (removed when none) and `metadata.json`. */
export function writeRunFiles(
  runDir: string,
  files: {
    readonly manifest: StoredManifest;
    readonly hypotheses: readonly unknown[];
    readonly metadata: StoredRunMetadata;
  },
): void {
  writeFileAtomicSync(join(runDir, MANIFEST_FILE), toStoredJson(files.manifest, 2));
  if (files.hypotheses.length > 0)
    writeFileAtomicSync(join(runDir, HYPOTHESES_FILE), toStoredJson(files.hypotheses, 2));
  else rmSync(join(runDir, HYPOTHESES_FILE), { force: true });
  writeFileAtomicSync(join(runDir, METADATA_FILE), toStoredJson(files.metadata, 2));
}

/**
 * Reduces an older version folder: with `keepFull`, only files above `bigFileBytes` go;
 * otherwise everything but the metrics (results, metadata, markers, manifest, hypotheses, log).
 */
export function reduceVersion(versionDir: string, keepFull: boolean, bigFileBytes: number): void {
  for (const file of walk(versionDir)) {
    if (RETAINED_FILES.has(basename(file))) continue;
    // A retained version keeps its provenance whatever its size: the journal holds it.
    if (keepFull && file === join(versionDir, JOURNAL_FILE)) continue;
    if (!keepFull || statSync(file).size > bigFileBytes) rmSync(file, { force: true });
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)],
  );
}
