import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExperimentGraph, type Experiment } from '@crystallize/orchestrator';
import { ConfigError } from './config-error.js';
import { findExperimentFolders, readFolderInfo } from './folder-info.js';
import { FolderLoader } from './folder-loader.js';
import { dedupe, type LoadedFolder } from './loaded-folder.js';
import type { LoadOptions } from './load-options.js';

/** A folder and, transitively, the folders it reads from: upstreams first. */
async function withAncestors(loader: FolderLoader, folder: string): Promise<LoadedFolder[]> {
  const order: LoadedFolder[] = [];
  const seen = new Set<string>();
  const visit = async (f: string): Promise<void> => {
    if (seen.has(f)) return;
    seen.add(f);
    const loaded = await loader.load(f);
    for (const up of loaded.upstreams) await visit(up);
    order.push(loaded);
  };
  await visit(resolve(folder));
  return order;
}

/**
 * An `ExperimentGraph` of folder experiments. Given a folder holding experiment folders, the
 * graph has every folder whose data source reads another's output (`up#output`) and the
 * folders they read from. Given one experiment folder, it has that folder and its upstreams.
 * Throws {@link ConfigError} listing every problem of every folder involved.
 *
 * @example
 * const graph = await loadExperimentGraph('experiments');
 * const results = await graph.run({ strategy: 'resume' });
 */
export async function loadExperimentGraph(
  root: string,
  options: LoadOptions = {},
): Promise<ExperimentGraph> {
  return (await loadGraphExperiments(root, options)).graph;
}

/**
 * The graph and its experiments, upstreams first (the command shows them). `root`
 * may also list the folders to start from (each with its upstreams).
 */
export async function loadGraphExperiments(
  root: string | readonly string[],
  options: LoadOptions = {},
): Promise<{ graph: ExperimentGraph; experiments: Experiment[] }> {
  const abs = typeof root === 'string' ? resolve(root) : resolve(root[0] ?? '.');
  const loader = new FolderLoader(options);
  const single = typeof root === 'string' && existsSync(join(abs, 'config.yaml'));
  const starts =
    typeof root !== 'string'
      ? root.map((f) => resolve(f))
      : single
        ? [abs]
        : findExperimentFolders(abs).filter((f) => readFolderInfo(f).upstreams.length > 0);
  if (starts.length === 0) {
    throw new ConfigError([
      {
        file: abs,
        line: 1,
        column: 1,
        path: '',
        message: findExperimentFolders(abs).length
          ? 'no experiment here reads another\'s output (datasource: "upstream#output"), so there is no graph; run the folders one by one.'
          : 'no experiment folders here (folders with a config.yaml).',
        excerpt: '',
      },
    ]);
  }
  const folders: LoadedFolder[] = [];
  const seen = new Set<string>();
  for (const s of starts) {
    for (const l of await withAncestors(loader, s)) {
      if (!seen.has(l.folder)) {
        seen.add(l.folder);
        folders.push(l);
      }
    }
  }
  const issues = dedupe(folders.flatMap((f) => [...f.issues, ...f.upstreamIssues]));
  if (issues.length) throw new ConfigError(issues);
  const experiments = folders.map((f) => f.experiment as Experiment);
  return { graph: ExperimentGraph.fromExperiments(experiments), experiments };
}
