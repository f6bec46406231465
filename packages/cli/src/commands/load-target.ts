import { basename, dirname, join } from 'node:path';
import type { Treatment } from '@crystallize/core';
import {
  didYouMean,
  findExperimentFolders,
  folderOf,
  importModule,
  loadExperiment,
  loadGraphExperiments,
  readFolderInfo,
  type LoadOptions,
} from '@crystallize/config';
import type { ExperimentGraph, Experiment } from '@crystallize/orchestrator';
import type { Target } from '../project.js';
import { UsageError } from '../usage-error.js';

/** What a target loads to: one experiment, or graphs of them (upstreams first). */
export interface Loaded {
  readonly experiments: readonly Experiment[];
  /** One per connected group of folders (an ExperimentGraph must be connected). */
  readonly graphs: readonly ExperimentGraph[];
  /** Folders whose files, when changed, change what runs (for --watch). */
  readonly folders: readonly string[];
}

function isExperiment(v: unknown): v is Experiment {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Experiment).run === 'function' &&
    typeof (v as Experiment).runReplicate === 'function' &&
    typeof (v as Experiment).validate === 'function'
  );
}

async function fromModule(file: string, exportName: string | undefined): Promise<Experiment> {
  const ns = await importModule(file);
  const found = Object.entries(ns).filter((e): e is [string, Experiment] => isExperiment(e[1]));
  if (exportName !== undefined) {
    const hit = ns[exportName];
    if (isExperiment(hit)) return hit;
    const names = found.map(([n]) => n);
    throw new UsageError(
      `${basename(file)} has no exported Experiment '${exportName}'.${didYouMean(exportName, names)} It exports: ${names.join(', ') || '(no experiments)'}.`,
    );
  }
  if (found.length === 1) return (found[0] as [string, Experiment])[1];
  throw new UsageError(
    found.length === 0
      ? `${basename(file)} exports no Experiment. Export one: export const exp = new Experiment({...}).`
      : `${basename(file)} exports several experiments (${found.map(([n]) => n).join(', ')}); name one: ${basename(file)}#${found[0]?.[0]}.`,
  );
}

export async function loadTarget(target: Target, options: LoadOptions): Promise<Loaded> {
  if (target.kind === 'module') {
    return {
      experiments: [await fromModule(target.file, target.exportName)],
      graphs: [],
      folders: [],
    };
  }
  if (target.kind === 'folder' && readFolderInfo(target.folder).upstreams.length === 0) {
    return {
      experiments: [await loadExperiment(target.folder, options)],
      graphs: [],
      folders: [target.folder],
    };
  }
  const groups = target.kind === 'folder' ? [[target.folder]] : components(target.root);
  const experiments: Experiment[] = [];
  const graphs: ExperimentGraph[] = [];
  for (const starts of groups) {
    const loaded = await loadGraphExperiments(starts, options);
    graphs.push(loaded.graph);
    experiments.push(...loaded.experiments);
  }
  return {
    experiments,
    graphs,
    folders: experiments
      .map((e) => folderOf(e)?.folder)
      .filter((f): f is string => f !== undefined),
  };
}

/** Folders under `root` that read another's output, grouped into connected components. */
function components(root: string): string[][] {
  const folders = findExperimentFolders(root);
  const parent = new Map<string, string>(folders.map((f) => [f, f]));
  const find = (f: string): string => {
    const p = parent.get(f) ?? f;
    if (p === f) return f;
    const r = find(p);
    parent.set(f, r);
    return r;
  };
  const starts: string[] = [];
  for (const f of folders) {
    const ups = readFolderInfo(f).upstreams.map((u) => join(dirname(f), u));
    if (ups.length) starts.push(f);
    for (const u of ups) if (parent.has(u)) parent.set(find(u), find(f));
  }
  const groups = new Map<string, string[]>();
  for (const s of starts) groups.set(find(s), [...(groups.get(find(s)) ?? []), s]);
  // No folder reads another: loadGraphExperiments explains that there is no graph.
  return groups.size ? [...groups.values()] : [[root]];
}

/** `--treatments a,b` → the experiments' treatments of those names (a `baseline` one always kept). */
export function selectTreatments(
  experiments: readonly Experiment[],
  names: string | undefined,
): Treatment[] | undefined {
  if (names === undefined) return undefined;
  const all = new Map<string, Treatment>();
  for (const e of experiments) for (const t of e.treatments) all.set(t.name, t);
  const wanted = names
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const known = [...all.keys()].filter((n) => n !== 'baseline');
  const unknown = wanted.filter((n) => !all.has(n));
  if (unknown.length) {
    throw new UsageError(
      `--treatments: unknown treatment${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'${didYouMean(u, known).replace(/^ /, ' (').replace(/\?$/, '?)')}`).join(', ')}. Treatments: ${known.join(', ') || '(none)'}.`,
    );
  }
  const base = all.get('baseline');
  return [
    ...(base ? [base] : []),
    ...wanted.filter((n) => n !== 'baseline').map((n) => all.get(n) as Treatment),
  ];
}
