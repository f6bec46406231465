import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_SUFFIX } from '@crystallize/cache/internal';

/*
 * The on-disk layout of stored runs (SPEC §8), in one place:
 *
 * Every reader and writer of stored runs goes through this folder (`storage/`): the
 * ArtifactPlugin writes with `run-writer.ts`, resume reads `stored-condition.ts`, the upstream
 * artifact reader, the graph and other packages (CLI, report) read `stored-run.ts`.
 *
 *   <root>/<experiment>/v<N>/metadata.json
 *                           /_manifest.json
 *                           /hypotheses.json                (hypothesis results per treatment)
 *                           /run.log
 *                           /journal.jsonl                  (one line per replicate outcome, as it
 *                                                            arrives: metrics, seed, step records)
 *                           /<condition>/results.json       (metrics, seeds, errors, fingerprint)
 *                           /<condition>/provenance.jsonl   (StepRecords per replicate, only when the
 *                                                            journal lacks some: see ArtifactPlugin)
 *                           /<condition>/.crystallize_complete
 *                           /replicate_<r>/<condition>/<Step>/<artifact file>
 *   <root>/<experiment>/.v0.next/    an unversioned run in progress (staging), swapped into v0
 *                                    at its end: v0 -> .v0.prev, .v0.next -> v0, rm .v0.prev
 *   <root>/<experiment>/.v0.prev/    the previous v0 for the instant of the swap
 *
 * A version is *finished* when its metadata.json exists (written last by a run).
 */

export const RESULTS_FILE = 'results.json';
export const PROVENANCE_FILE = 'provenance.jsonl';
export const COMPLETE_MARKER = '.crystallize_complete';
export const METADATA_FILE = 'metadata.json';
export const MANIFEST_FILE = '_manifest.json';
export const HYPOTHESES_FILE = 'hypotheses.json';
export const RUN_LOG_FILE = 'run.log';
export const JOURNAL_FILE = 'journal.jsonl';

/** Files version retention never removes: what a reduced old version keeps. */
export const RETAINED_FILES: ReadonlySet<string> = new Set([
  RESULTS_FILE,
  COMPLETE_MARKER,
  METADATA_FILE,
  MANIFEST_FILE,
  HYPOTHESES_FILE,
  RUN_LOG_FILE,
]);

export function versionDir(experimentDir: string, version: number): string {
  return join(experimentDir, `v${version}`);
}

/** Existing version numbers of an experiment folder, ascending. */
export function listVersions(experimentDir: string): number[] {
  if (!existsSync(experimentDir)) return [];
  return readdirSync(experimentDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^v\d+$/.test(d.name))
    .map((d) => Number(d.name.slice(1)))
    .sort((a, b) => a - b);
}

/** N of a `.../v<N>` folder (0 when the folder is not named so). */
export function versionOf(dir: string): number {
  const m = /(?:^|[\\/])v(\d+)[\\/]*$/.exec(dir);
  return m ? Number(m[1]) : 0;
}

/** The staging folder of an unversioned run in progress (swapped into `v0` at its end). */
export function stagingDir(experimentDir: string): string {
  return join(experimentDir, '.v0.next');
}

/** Where `v0` waits for the instant of the swap (read when v0 itself is missing). */
export function previousDir(experimentDir: string): string {
  return join(experimentDir, '.v0.prev');
}

/** Whether a run finished writing `dir` (its metadata.json, written last, exists). */
export function isFinished(dir: string): boolean {
  return existsSync(join(dir, METADATA_FILE));
}

/**
 * The newest *finished* version folder of an experiment folder (a run still writing, or one that
 * crashed, is passed over); a `v0` caught in the middle of its swap is read from `.v0.prev`.
 * When no version finished, the newest folder there is, if any.
 */
export function latestVersionDir(experimentDir: string): string | undefined {
  const versions = listVersions(experimentDir);
  for (let i = versions.length - 1; i >= 0; i--) {
    const dir = versionDir(experimentDir, versions[i] as number);
    if (isFinished(dir)) return dir;
  }
  if (!versions.includes(0) && isFinished(previousDir(experimentDir)))
    return previousDir(experimentDir);
  const last = versions[versions.length - 1];
  return last === undefined ? undefined : versionDir(experimentDir, last);
}

/**
 * Removes the temp files of interrupted atomic writes (`.<name>.<unique>.tmp`, see the cache's
 * writeFileAtomicSync) anywhere under `dir`: a crash between a temp file's creation and its
 * rename leaves one behind. Call it only while holding the folder's lock.
 */
export function removeStaleTempFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let removed = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, d.name);
    if (d.isDirectory()) removed += removeStaleTempFiles(path);
    else if (d.name.startsWith('.') && d.name.endsWith(TEMP_SUFFIX)) {
      rmSync(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}

/** Path of an artifact file relative to the version folder. */
export function artifactRelPath(
  replicate: number,
  condition: string,
  step: string,
  name: string,
): string {
  return join(`replicate_${replicate}`, condition, step, name);
}

export function resultsPath(dir: string, condition: string): string {
  return join(dir, condition, RESULTS_FILE);
}

export function provenancePath(dir: string, condition: string): string {
  return join(dir, condition, PROVENANCE_FILE);
}

export function markerPath(dir: string, condition: string): string {
  return join(dir, condition, COMPLETE_MARKER);
}
