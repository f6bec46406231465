import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { findExperimentFolders, readFolderInfo } from '@crystallize/config';
import type { Experiment } from '@crystallize/orchestrator';
import { resolveRunDir, writeReport } from '@crystallize/report';
import { listVersions } from '@crystallize/orchestrator/internal';
import { resolveTarget, type Project } from '../project.js';
import { UsageError } from '../usage-error.js';
import { loadTarget } from './load-target.js';

export interface ReportFlags {
  /** `-o FILE`; default `<run dir>/report.html` (`report-vs-v<M>.html` with `--compare vM`). */
  readonly output?: string;
  /** `vN` or `N`: another stored version of the same experiment, shown side by side. */
  readonly compare?: string;
  /** The stored version to report (default: the newest). */
  readonly version?: number;
}

/** One experiment whose stored runs a report reads. */
interface Stored {
  readonly name: string;
  /** `<data>/<experiment>`: the folder holding its `v<N>` folders. */
  readonly experimentDir: string;
  /** How to produce a run when there is none (for the message). */
  readonly runHint: string;
}

const VERSION_DIR = /^v\d+$/;

/** A path to a stored run (`<data>/<exp>/v<N>`) or to an experiment's stored runs (`<data>/<exp>`). */
function storedRunPath(p: Project, target: string): string | undefined {
  for (const dir of [resolve(target), resolve(p.root, target)]) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    if (existsSync(join(dir, 'config.yaml'))) return undefined; // an experiment folder
    if (VERSION_DIR.test(basename(dir)) || listVersions(dir).length > 0) return dir;
  }
  return undefined;
}

/** The ArtifactPlugin of a module's experiment, found by its shape. */
function storedDirOf(exp: Experiment): string {
  const plugin = exp.plugins.find(
    (pl) => typeof (pl as { experimentDir?: unknown }).experimentDir === 'function',
  ) as { experimentDir(e: Experiment): string } | undefined;
  if (!plugin)
    throw new UsageError(
      `experiment '${exp.name}' stores no runs (it has no ArtifactPlugin), so there is nothing to report.`,
    );
  return resolve(plugin.experimentDir(exp));
}

async function experimentsOf(p: Project, target: string): Promise<Stored[]> {
  const t = resolveTarget(p, target);
  if (t.kind === 'module') {
    const loaded = await loadTarget(t, { dataDir: p.dataDir, logLevel: 'silent' });
    return loaded.experiments.map((exp) => ({
      name: exp.name,
      experimentDir: storedDirOf(exp),
      runHint: `crystallize run ${target}`,
    }));
  }
  const folders = t.kind === 'folder' ? [t.folder] : findExperimentFolders(t.root);
  return folders.map((f) => {
    const name = readFolderInfo(f).name;
    return {
      name,
      experimentDir: join(p.dataDir, name),
      runHint: `crystallize run ${t.kind === 'folder' ? target : basename(f)}`,
    };
  });
}

function compareVersion(flag: string): number {
  const m = /^v?(\d+)$/.exec(flag.trim());
  if (!m) throw new UsageError(`--compare ${flag}: expected a stored version, like v2 (or 2).`);
  return Number(m[1]);
}

/** The run folder `--compare vN` names: a sibling of the reported one. */
function compareDir(runDir: string, version: number): string {
  const experimentDir = dirname(runDir);
  const versions = listVersions(experimentDir);
  if (!versions.includes(version))
    throw new UsageError(
      `--compare v${version}: ${experimentDir} has no stored version ${version}; stored: ${versions.map((v) => `v${v}`).join(', ') || '(none)'}.`,
    );
  const dir = join(experimentDir, `v${version}`);
  if (resolve(dir) === resolve(runDir))
    throw new UsageError(
      `--compare v${version} is the version being reported; compare it with another stored version.`,
    );
  return dir;
}

/** Resolves the run folder of one experiment, or explains why there is none. */
function runDirOf(s: Stored, version: number | undefined): string {
  const versions = listVersions(s.experimentDir);
  if (versions.length === 0)
    throw new UsageError(
      `no stored runs of '${s.name}' in ${s.experimentDir}. Run it first: ${s.runHint}`,
    );
  if (version !== undefined && !versions.includes(version))
    throw new UsageError(
      `'${s.name}' has no stored version ${version}; stored: ${versions.map((v) => `v${v}`).join(', ')}.`,
    );
  return join(s.experimentDir, `v${version ?? (versions[versions.length - 1] as number)}`);
}

/**
 * `crystallize report <target>`: writes the HTML report of a stored run and prints its path.
 * A folder of experiments (a graph root) gets one report per experiment folder under it, each
 * in its newest run folder; `-o`, `--version` and `--compare` need a single experiment.
 */
export async function reportCommand(
  p: Project,
  target: string,
  flags: ReportFlags,
): Promise<number> {
  const compare = flags.compare === undefined ? undefined : compareVersion(flags.compare);
  let runDirs: string[];
  const path = storedRunPath(p, target);
  if (path !== undefined) {
    runDirs = [resolveRunDir(path, flags.version)];
  } else {
    const stored = await experimentsOf(p, target);
    if (stored.length === 0)
      throw new UsageError(`'${target}' holds no experiment folder: nothing to report.`);
    if (stored.length > 1) {
      const given = [
        flags.output !== undefined ? '-o' : '',
        flags.version !== undefined ? '--version' : '',
        compare !== undefined ? '--compare' : '',
      ].filter(Boolean);
      if (given.length)
        throw new UsageError(
          `'${target}' holds ${stored.length} experiments (${stored.map((s) => s.name).join(', ')}); ${given.join(', ')} need${given.length === 1 ? 's' : ''} one. Name one experiment, or drop ${given.join(', ')} to write one report per experiment into its newest run folder.`,
        );
    }
    const missing: string[] = [];
    runDirs = [];
    for (const s of stored) {
      try {
        runDirs.push(runDirOf(s, flags.version));
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        missing.push(e.message);
      }
    }
    if (missing.length) throw new UsageError(missing.join('\n'));
  }
  const written: string[] = [];
  for (const runDir of runDirs) {
    const other = compare === undefined ? undefined : compareDir(runDir, compare);
    const file =
      flags.output ??
      join(runDir, compare === undefined ? 'report.html' : `report-vs-v${compare}.html`);
    written.push(
      await writeReport(runDir, { file, ...(other !== undefined ? { compare: other } : {}) }),
    );
  }
  process.stdout.write(written.map((f) => `${f}\n`).join(''));
  return 0;
}
