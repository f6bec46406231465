import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

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
 *                           /<condition>/results.json       (metrics, seeds, errors, fingerprint)
 *                           /<condition>/provenance.jsonl   (one line of StepRecords per replicate)
 *                           /<condition>/.crystallize_complete
 *                           /replicate_<r>/<condition>/<Step>/<artifact file>
 */

export const RESULTS_FILE = 'results.json';
export const PROVENANCE_FILE = 'provenance.jsonl';
export const COMPLETE_MARKER = '.crystallize_complete';
export const METADATA_FILE = 'metadata.json';
export const MANIFEST_FILE = '_manifest.json';
export const HYPOTHESES_FILE = 'hypotheses.json';
export const RUN_LOG_FILE = 'run.log';

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

/** The newest version folder of an experiment folder, if any run was stored. */
export function latestVersionDir(experimentDir: string): string | undefined {
  const versions = listVersions(experimentDir);
  const last = versions[versions.length - 1];
  return last === undefined ? undefined : versionDir(experimentDir, last);
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
