import type { LoadOptions } from './load-options.js';

/*
 * How a folder experiment is rebuilt elsewhere. Its `definedIn` module is this package's
 * worker-entry module with the folder and the load options in the query: importing that URL
 * (a ParallelExecution worker thread, a distributed worker's thread) builds the same experiment.
 * The URL is the single record of where a folder experiment came from, so any copy of this
 * package (a bundle, another install) can read it back.
 */

/** A folder experiment's origin: its folder and the options it was loaded with. */
export interface FolderSource {
  /** Absolute folder path. */
  readonly folder: string;
  /** The load options that travel (no progress bar, no execution plugin instance). */
  readonly options: LoadOptions;
}

const ENTRY = 'worker-entry.js';

/** Load options without what cannot or need not travel to a worker. */
export function portableLoadOptions(options: LoadOptions): LoadOptions {
  const { progress: _p, executionPlugin: _e, ...rest } = options;
  return rest;
}

/**
 * The module workers import to rebuild the folder experiment exactly (see worker-entry.ts).
 *
 * @example
 * const url = folderModuleUrl('/abs/experiments/scale-demo', { dataDir: '/abs/data' });
 * const { experiment } = await import(url);
 */
export function folderModuleUrl(folder: string, options: LoadOptions): string {
  const url = new URL(`./${ENTRY}`, import.meta.url);
  url.searchParams.set('folder', folder);
  url.searchParams.set('options', JSON.stringify(portableLoadOptions(options)));
  return url.href;
}

/**
 * The folder and load options a folder experiment was built from (`loadExperiment`,
 * `loadExperimentGraph`); undefined for an experiment the TypeScript API built.
 *
 * @example
 * const exp = await loadExperiment('experiments/scale-demo');
 * folderSourceOf(exp)?.folder; // '/abs/experiments/scale-demo'
 */
export function folderSourceOf(experiment: {
  readonly definedIn?: string | undefined;
}): FolderSource | undefined {
  const module = experiment.definedIn;
  if (module === undefined || !module.startsWith('file:')) return undefined;
  let url: URL;
  try {
    url = new URL(module);
  } catch {
    return undefined;
  }
  const folder = url.searchParams.get('folder');
  if (!url.pathname.endsWith(`/${ENTRY}`) || !folder) return undefined;
  let options: LoadOptions = {};
  try {
    options = JSON.parse(url.searchParams.get('options') ?? '{}') as LoadOptions;
  } catch {
    return undefined;
  }
  return { folder, options };
}
