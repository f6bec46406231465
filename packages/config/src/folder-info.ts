import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Experiment } from '@crystallize/orchestrator';
import type { ExperimentConfig } from './schema/config.schema.js';
import { parseConfig } from './schema/parse-config.js';

/** What config.yaml says about how a folder experiment is shown. */
export interface FolderInfo {
  /** Absolute folder path. */
  readonly folder: string;
  readonly configFile: string;
  /** `name:`, or the folder name. */
  readonly name: string;
  readonly description: string | undefined;
  readonly group: string | undefined;
  readonly priority: number;
  readonly hidden: boolean;
  /** Upstream folder names its data source reads (`up#output`). */
  readonly upstreams: readonly string[];
  /** Each `up#output` reference of its data source. */
  readonly references: readonly { readonly experiment: string; readonly output: string }[];
  /** Output aliases it declares (`outputs:`). */
  readonly outputs: readonly string[];
}

/** Reads a folder's config.yaml for display; never throws (a broken file gives the defaults). */
export function readFolderInfo(folder: string): FolderInfo {
  const abs = resolve(folder);
  const configFile = join(abs, 'config.yaml');
  const config: Partial<ExperimentConfig> = existsSync(configFile)
    ? parseConfig(configFile).config
    : {};
  const ds = config.datasource;
  const refs = (typeof ds === 'string' ? [ds] : Object.values(ds ?? {})).filter((d) =>
    d.includes('#'),
  );
  return {
    folder: abs,
    configFile,
    name: config.name ?? basename(abs),
    description: config.description,
    group: config.cli?.group,
    priority: config.cli?.priority ?? 0,
    hidden: config.cli?.hidden ?? false,
    upstreams: [...new Set(refs.map((r) => r.slice(0, r.indexOf('#'))))],
    references: refs.map((r) => ({
      experiment: r.slice(0, r.indexOf('#')),
      output: r.slice(r.indexOf('#') + 1),
    })),
    outputs: Object.keys(config.outputs ?? {}),
  };
}

/** Folders directly under `dir` that hold a config.yaml, sorted by name. */
export function findExperimentFolders(dir: string): string[] {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  return readdirSync(abs, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(abs, d.name, 'config.yaml')))
    .map((d) => join(abs, d.name))
    .sort();
}

const infos = new WeakMap<Experiment, FolderInfo>();

/** @internal */
export function rememberFolder(exp: Experiment, info: FolderInfo): void {
  infos.set(exp, info);
}

/** The folder an experiment was loaded from, if `loadExperiment` built it. */
export function folderOf(exp: Experiment): FolderInfo | undefined {
  return infos.get(exp);
}
