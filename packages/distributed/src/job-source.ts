import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Config from '@crystallize/config';
import { ValidationError } from '@crystallize/core';
import type { Experiment } from '@crystallize/orchestrator';
import { WorkerRefusedError } from './errors.js';
import { withTimeout } from './internal/with-timeout.js';
import type { FolderJob, JobData } from './job-format.js';
import {
  folderRelativeToRoot,
  folderUnderRoot,
  moduleRelativeToRoot,
  moduleUnderRoot,
} from './module-path.js';

/*
 * What a job names for a worker to rebuild, and how the worker turns that back into the module
 * its threads import: a module (relative to the root) and its export, or a folder experiment
 * (relative to the root) and the options it was loaded with, rebuilt by @crystallize/config's
 * loader. Never code, never an absolute path.
 */

/** The submitter's description of where the experiment comes from. */
export interface JobSource {
  /** The module relative to the root (`''` for a folder experiment). */
  readonly module: string;
  readonly folder?: FolderJob;
  /** The export holding the experiment, when known. */
  readonly exportName?: string;
  /** What identifies the source in the run key. */
  readonly key: string;
}

type ConfigModule = typeof Config;

function loadConfig(): Promise<ConfigModule | undefined> {
  return import('@crystallize/config').catch(() => undefined);
}

/** The module's export holding this very experiment, if the module is loaded and not the entry script. */
async function exportNameOf(experiment: Experiment, module: string): Promise<string | undefined> {
  const entry = process.argv[1];
  if (entry) {
    let entryUrl: string;
    try {
      entryUrl = pathToFileURL(realpathSync(entry)).href;
    } catch {
      entryUrl = pathToFileURL(resolve(entry)).href;
    }
    if (module.split(/[?#]/)[0] === entryUrl) return undefined;
  }
  try {
    const ns = await withTimeout(
      import(module) as Promise<Record<string, unknown>>,
      10_000,
      () => new Error('timeout'),
    );
    return Object.keys(ns).find((k) => ns[k] === experiment);
  } catch {
    return undefined;
  }
}

/** The data folder travels relative to the root (each worker resolves it under its own root). */
function portableDataDir(dataDir: string, root: string): string {
  const abs = resolve(dataDir);
  const rel = relative(root, abs);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new ValidationError(
      `the data folder ${abs} of a folder experiment is outside the project root ${root}; workers resolve it under their own root. ` +
        'Keep it under the root (the default <root>/data), or pass new DistributedExecution({ root }) naming a folder that holds both.',
      'DistributedExecution',
    );
  }
  return rel.split(sep).join('/') || '.';
}

/**
 * The submitter's side: a folder experiment (loaded by @crystallize/config) travels as its folder
 * and load options, any other as its module and export.
 */
export async function jobSourceOf(
  experiment: Experiment,
  moduleUrl: string,
  root: string,
): Promise<JobSource> {
  const config = await loadConfig();
  const source = config?.folderSourceOf(experiment);
  if (source) {
    const path = folderRelativeToRoot(source.folder, root);
    const options = {
      ...source.options,
      ...(source.options.dataDir !== undefined
        ? { dataDir: portableDataDir(source.options.dataDir, root) }
        : {}),
    };
    return {
      module: '',
      folder: { path, options },
      // worker-entry.ts exports the rebuilt folder experiment as `experiment`.
      exportName: 'experiment',
      key: `folder:${path}:${JSON.stringify(options)}`,
    };
  }
  const module = moduleRelativeToRoot(moduleUrl, root);
  const exportName = await exportNameOf(experiment, moduleUrl);
  return { module, ...(exportName !== undefined ? { exportName } : {}), key: module };
}

/**
 * The worker's side: the URL its threads import to rebuild a job's experiment — the module under
 * the root, or @crystallize/config's entry for the folder under the root. Throws
 * WorkerRefusedError for a path that leaves the root.
 */
export async function rebuildModuleOf(data: JobData, root: string): Promise<string> {
  if (data.folder === undefined) return moduleUnderRoot(data.module, root);
  const folder = folderUnderRoot(data.folder.path, root);
  const config = await loadConfig();
  if (!config) {
    throw new WorkerRefusedError(
      `job of folder experiment ${data.folder.path}: @crystallize/config cannot be loaded here. Install it beside @crystallize/distributed.`,
      'crystallize worker',
    );
  }
  const options: Record<string, unknown> = { ...data.folder.options };
  const dataDir = options['dataDir'];
  if (dataDir !== undefined) {
    if (
      typeof dataDir !== 'string' ||
      isAbsolute(dataDir) ||
      dataDir.split(/[\\/]/).includes('..')
    ) {
      throw new WorkerRefusedError(
        `job of folder experiment ${data.folder.path}: its data folder ${JSON.stringify(dataDir)} is not a path relative to the root (absolute paths and .. are refused)`,
        'crystallize worker',
      );
    }
    options['dataDir'] = resolve(root, dataDir);
  }
  return config.folderModuleUrl(folder, options);
}
