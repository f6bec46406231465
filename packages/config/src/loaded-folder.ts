import type { Artifact, Experiment } from '@crystallize/orchestrator';
import { ConfigError, type ConfigIssue } from './config-error.js';

/** One folder, built or not: its experiment, its output aliases, and every problem found. */
export interface LoadedFolder {
  readonly folder: string;
  readonly experiment: Experiment | undefined;
  readonly outputs: ReadonlyMap<string, Artifact>;
  /** This folder's own problems. */
  readonly issues: readonly ConfigIssue[];
  /** Problems of upstream folders it reads from. */
  readonly upstreamIssues: readonly ConfigIssue[];
  /** Upstream folders (absolute) it reads from. */
  readonly upstreams: readonly string[];
}

/** Throws a ConfigError when a loaded folder (or an upstream) has problems. */
export function orThrow(loaded: LoadedFolder): Experiment {
  const all = dedupe([...loaded.issues, ...loaded.upstreamIssues]);
  if (all.length || !loaded.experiment) throw new ConfigError(all);
  return loaded.experiment;
}

/** Issues without repeats, grouped by file (in order of first mention), then by position. */
export function dedupe(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  const files = new Map<string, number>();
  const unique = issues.filter((i) => {
    const k = `${i.file}:${i.line}:${i.column}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    if (!files.has(i.file)) files.set(i.file, files.size);
    return true;
  });
  return unique.sort(
    (a, b) =>
      (files.get(a.file) as number) - (files.get(b.file) as number) ||
      a.line - b.line ||
      a.column - b.column,
  );
}
