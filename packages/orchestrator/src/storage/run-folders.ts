import { existsSync } from 'node:fs';
import {
  isFinished,
  latestVersionDir,
  listVersions,
  stagingDir,
  versionDir,
} from './run-layout.js';
import { readRunMetadata } from './stored-run.js';

/** A version a resume goes on writing: it never finished, or its run was aborted. */
export function continuable(dir: string): boolean {
  if (!isFinished(dir)) return true;
  try {
    return readRunMetadata(dir)?.aborted === true;
  } catch {
    return false;
  }
}

/**
 * Folders resume may take stored results from, best first. Unversioned: the staging folder of
 * an unfinished (crashed or aborted) run, then v0. Versioned: the newest version when it never
 * finished or was aborted, then the newest finished one.
 */
export function resumeSourcesOf(experimentDir: string, versioned: boolean): string[] {
  const out: string[] = [];
  if (versioned) {
    const last = listVersions(experimentDir).pop();
    if (last !== undefined && continuable(versionDir(experimentDir, last)))
      out.push(versionDir(experimentDir, last));
  } else if (existsSync(stagingDir(experimentDir))) {
    out.push(stagingDir(experimentDir));
  }
  const finished = latestVersionDir(experimentDir);
  if (finished !== undefined && !out.includes(finished)) out.push(finished);
  return out;
}
