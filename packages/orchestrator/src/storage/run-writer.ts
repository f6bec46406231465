import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomicSync as writeFileAtomicRaw } from '@crystallize/cache/internal';
import {
  HYPOTHESES_FILE,
  MANIFEST_FILE,
  METADATA_FILE,
  RETAINED_FILES,
  markerPath,
  provenancePath,
  resultsPath,
} from './run-layout.js';
import type { StoredConditionSummary } from './stored-condition.js';
import { writeProvenance } from './stored-condition.js';
import { storing } from './storage-failure.js';
import { toStoredJson } from './stored-json.js';
import type { StoredManifest, StoredRunMetadata } from './stored-run.js';

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
 * A condition's `results.json` and `provenance.jsonl`, and its completion marker: present only
 * when every replicate succeeded (resume reuses only completed conditions).
 */
export function writeConditionResults(
  runDir: string,
  summary: StoredConditionSummary,
  provenanceLines: Iterable<string>,
  complete: boolean,
): void {
  const condition = summary.condition;
  writeFileAtomicSync(resultsPath(runDir, condition), toStoredJson(summary));
  storing(provenancePath(runDir, condition), () =>
    writeProvenance(provenancePath(runDir, condition), provenanceLines),
  );
  const marker = markerPath(runDir, condition);
  if (complete) writeFileAtomicSync(marker, new Date().toISOString());
  else rmSync(marker, { force: true });
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
    if (!keepFull || statSync(file).size > bigFileBytes) rmSync(file, { force: true });
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)],
  );
}
