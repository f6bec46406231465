import { basename } from 'node:path';
import { Treatment } from '@crystallize/core';
import {
  didYouMean,
  importModule,
  loadExperiment,
  loadGraphExperiments,
  readFolderInfo,
  type LoadOptions,
} from '@crystallize/config';
import { ExperimentGraph, type Experiment } from '@crystallize/orchestrator';
import type { Target } from '../project.js';
import { UsageError } from '../usage-error.js';

/** What a target loads to: one experiment, or a graph of them (upstreams first). */
export interface Loaded {
  readonly experiments: readonly Experiment[];
  readonly graph: ExperimentGraph | undefined;
  /** Folders whose files, when changed, change what runs (for --watch). */
  readonly folders: readonly string[];
}

function isExperiment(v: unknown): v is Experiment {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Experiment).runReplicate === 'function' &&
    typeof (v as Experiment).workerEnv === 'function'
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
    return { experiments: [await fromModule(target.file, target.exportName)], graph: undefined, folders: [] };
  }
  if (target.kind === 'folder' && readFolderInfo(target.folder).upstreams.length === 0) {
    return { experiments: [await loadExperiment(target.folder, options)], graph: undefined, folders: [target.folder] };
  }
  const root = target.kind === 'folder' ? target.folder : target.root;
  const { graph, experiments } = await loadGraphExperiments(root, options);
  const { folderOf } = await import('@crystallize/config');
  return {
    experiments,
    graph,
    folders: experiments.map((e) => folderOf(e)?.folder).filter((f): f is string => f !== undefined),
  };
}

/** `--treatments a,b` → the experiments' treatments of those names (a `baseline` one always kept). */
export function selectTreatments(experiments: readonly Experiment[], names: string | undefined): Treatment[] | undefined {
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
  return [...(base ? [base] : []), ...wanted.filter((n) => n !== 'baseline').map((n) => all.get(n) as Treatment)];
}
