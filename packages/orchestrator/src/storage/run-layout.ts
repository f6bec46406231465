import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The on-disk layout of stored runs (SPEC §8), in one place:
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
