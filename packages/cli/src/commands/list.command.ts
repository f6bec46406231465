import { basename } from 'node:path';
import Table from 'cli-table3';
import { pc } from '../colors.js';
import {
  ConfigError,
  findExperimentFolders,
  loadExperiment,
  readFolderInfo,
  type ConfigIssue,
} from '@crystallize/config';
import type { Project } from '../project.js';

export interface ListedExperiment {
  readonly name: string;
  readonly folder: string;
  readonly description: string | undefined;
  readonly group: string | undefined;
  readonly priority: number;
  readonly hidden: boolean;
  readonly steps: readonly string[];
  readonly treatments: readonly string[];
  readonly replicates: number | undefined;
  readonly upstreams: readonly string[];
  /** Load problems, as `file:line:column key: message`. */
  readonly errors: readonly string[];
  readonly issues: readonly ConfigIssue[];
}

/** Every experiment folder under `<root>/experiments`, loaded (so load errors show). */
export async function listExperiments(p: Project): Promise<ListedExperiment[]> {
  const out: ListedExperiment[] = [];
  for (const folder of findExperimentFolders(p.experimentsDir)) {
    const info = readFolderInfo(folder);
    let issues: readonly ConfigIssue[] = [];
    let exp;
    try {
      exp = await loadExperiment(folder, { dataDir: p.dataDir, logLevel: 'silent' });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      issues = e.issues;
    }
    out.push({
      name: info.name,
      folder,
      description: info.description,
      group: info.group,
      priority: info.priority,
      hidden: info.hidden,
      steps: exp ? exp.pipeline.steps.map((s) => s.name) : [],
      treatments: exp ? exp.treatments.map((t) => t.name) : [],
      replicates: exp ? (exp.datasource.replicates ?? exp.replicates) : undefined,
      upstreams: info.upstreams,
      errors: issues.map(
        (i) => `${i.file}:${i.line}:${i.column} ${i.path ? `${i.path}: ` : ''}${i.message}`,
      ),
      issues,
    });
  }
  return out.sort(
    (a, b) =>
      (a.group ?? '~').localeCompare(b.group ?? '~') ||
      a.priority - b.priority ||
      a.name.localeCompare(b.name),
  );
}

export async function listCommand(
  p: Project,
  flags: { json?: boolean; all?: boolean },
): Promise<number> {
  const all = await listExperiments(p);
  const shown = all.filter((e) => flags.all || !e.hidden);
  const broken = shown.filter((e) => e.errors.length > 0);
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(
        shown.map(({ issues: _i, ...rest }) => rest),
        null,
        2,
      )}\n`,
    );
    return broken.length ? 2 : 0;
  }
  if (shown.length === 0) {
    process.stdout.write(
      `no experiments in ${p.experimentsDir} (crystallize new <name> creates one)\n`,
    );
    return 0;
  }
  const groups = new Map<string, typeof shown>();
  for (const e of shown) {
    const g = e.group ?? '(no group)';
    groups.set(g, [...(groups.get(g) ?? []), e]);
  }
  const parts: string[] = [];
  for (const [group, list] of groups) {
    const t = new Table({
      head: ['experiment', 'description', 'steps', 'treatments', 'replicates', 'reads'],
      style: { head: [], border: [] },
    });
    for (const e of list) {
      t.push([
        e.errors.length ? `${e.name} ${pc.red('(invalid)')}` : e.name,
        e.description ?? '',
        e.steps.join(' > '),
        e.treatments.join(', '),
        e.replicates === undefined ? '' : String(e.replicates),
        e.upstreams.join(', '),
      ]);
    }
    parts.push(`${pc.bold(group)}\n${t.toString()}`);
  }
  for (const e of broken) {
    parts.push(
      `${pc.red(`${basename(e.folder)}: ${e.errors.length} problem(s)`)}\n${e.issues.map((i) => `  ${i.file}:${i.line}:${i.column} ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}`,
    );
  }
  process.stdout.write(`${parts.join('\n\n')}\n`);
  return broken.length ? 2 : 0;
}
