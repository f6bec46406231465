import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Treatment, ValidationError, type DataSource } from '@crystallize/core';
import {
  Artifact,
  ArtifactPlugin,
  AsyncExecution,
  Experiment,
  LoggingPlugin,
  ParallelExecution,
  SeedPlugin,
  SerialExecution,
  type BasePlugin,
} from '@crystallize/orchestrator';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { buildDatasource } from './build/build-datasource.js';
import { buildHypotheses } from './build/build-hypotheses.js';
import { buildSteps } from './build/build-steps.js';
import { lookup, type BuildScope } from './build/lookup.js';
import { didYouMean, listNames } from './internal/did-you-mean.js';
import { ModuleLoader } from './internal/folder-modules.js';
import type { KeyPath } from './internal/yaml-source.js';
import { findExperimentFolders, readFolderInfo, rememberFolder } from './folder-info.js';
import type { LoadOptions } from './load-options.js';
import { parseConfig } from './schema/parse-config.js';

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

const isFunction = (v: unknown): v is (...a: never[]) => unknown => typeof v === 'function';

/** The module workers import to rebuild a folder experiment exactly (see worker-entry.ts). */
export function workerModuleUrl(folder: string, options: LoadOptions): string {
  const url = new URL('./worker-entry.js', import.meta.url);
  url.searchParams.set('folder', folder);
  const { progress: _p, ...rest } = options;
  url.searchParams.set('options', JSON.stringify(rest));
  return url.href;
}

function executionPlugin(
  mode: string | undefined,
  workers: number | undefined,
  module: string,
  progress: boolean,
): BasePlugin {
  if (mode === 'parallel')
    return new ParallelExecution({ module, progress, ...(workers ? { maxWorkers: workers } : {}) });
  if (mode === 'async') return new AsyncExecution(workers ? { concurrency: workers } : {});
  return new SerialExecution({ progress });
}

/**
 * Loads folders sharing one module namespace and one experiment per folder, so a graph's
 * upstream is the same object for every downstream.
 */
export class FolderLoader {
  readonly #modules = new ModuleLoader();
  readonly #loaded = new Map<string, Promise<LoadedFolder>>();

  constructor(readonly options: LoadOptions = {}) {}

  load(folder: string, chain: readonly string[] = []): Promise<LoadedFolder> {
    const abs = resolve(folder);
    let p = this.#loaded.get(abs);
    if (!p) {
      p = this.#build(abs, [...chain, abs]);
      this.#loaded.set(abs, p);
    }
    return p;
  }

  async #build(folder: string, chain: readonly string[]): Promise<LoadedFolder> {
    const configFile = join(folder, 'config.yaml');
    const outputs = new Map<string, Artifact>();
    const upstreamIssues: ConfigIssue[] = [];
    const upstreams: string[] = [];
    if (!existsSync(configFile)) {
      const issue: ConfigIssue = {
        file: configFile,
        line: 1,
        column: 1,
        path: '',
        message: `no config.yaml in ${folder}: a folder experiment is a folder with config.yaml (and optional steps.ts, datasources.ts, verifiers.ts, outputs.ts).`,
        excerpt: '',
      };
      return { folder, experiment: undefined, outputs, issues: [issue], upstreamIssues, upstreams };
    }
    const { source, config, issues } = parseConfig(configFile);
    const modules = await this.#modules.folder(folder);
    for (const m of Object.values(modules)) if (m.error) issues.push(m.error);
    const scope: BuildScope = { folder, source, modules, issues };

    for (const [alias, out] of Object.entries(config.outputs ?? {})) {
      const path = ['outputs', alias];
      const io = { kind: 'outputs' as const, expected: 'a function', accept: isFunction };
      const writer =
        out.writer !== undefined
          ? lookup(scope, out.writer, [...path, 'writer'], { ...io, what: 'writer' })
          : undefined;
      const loader =
        out.loader !== undefined
          ? lookup(scope, out.loader, [...path, 'loader'], { ...io, what: 'loader' })
          : undefined;
      try {
        outputs.set(
          alias,
          new Artifact(out.file_name, {
            ...(writer ? { writer: writer as (d: unknown) => string } : {}),
            ...(loader ? { loader: loader as (b: Buffer) => unknown } : {}),
          }),
        );
      } catch (e) {
        issues.push(source.issue([...path, 'file_name'], (e as Error).message));
      }
    }

    const upstream = async (
      name: string,
      output: string,
      path: KeyPath,
    ): Promise<DataSource | undefined> => {
      const parent = dirname(folder);
      const upFolder = join(parent, name);
      if (!name || !output) {
        issues.push(
          source.issue(
            path,
            `expected "upstream#output" (a folder beside this one, and one of its outputs), got "${name}#${output}"`,
          ),
        );
        return undefined;
      }
      if (!existsSync(join(upFolder, 'config.yaml'))) {
        const siblings = findExperimentFolders(parent)
          .map((f) => basename(f))
          .filter((f) => f !== basename(folder));
        issues.push(
          source.issue(
            path,
            `no folder experiment '${name}' beside this one (looked for ${join(upFolder, 'config.yaml')}).${didYouMean(name, siblings)} Folders: ${listNames(siblings)}.`,
          ),
        );
        return undefined;
      }
      if (chain.includes(upFolder)) {
        const cycle = [...chain.slice(chain.indexOf(upFolder)), upFolder].map((f) => basename(f));
        issues.push(
          source.issue(
            path,
            `experiments read each other's outputs in a cycle: ${cycle.join(' -> ')}. Remove one of these references.`,
          ),
        );
        return undefined;
      }
      upstreams.push(upFolder);
      const up = await this.load(upFolder, chain);
      upstreamIssues.push(...up.issues, ...up.upstreamIssues);
      const artifact = up.outputs.get(output);
      if (!artifact) {
        const declared = [...up.outputs.keys()];
        if (up.issues.length === 0 || declared.length > 0) {
          issues.push(
            source.issue(
              path,
              `experiment '${name}' has no output '${output}'.${didYouMean(output, declared)} Its outputs: ${listNames(declared)} (declared under outputs: in ${name}/config.yaml).`,
            ),
          );
        } else {
          issues.push(
            source.issue(
              path,
              `experiment '${name}' cannot be loaded; its problems are listed with this one.`,
            ),
          );
        }
        return undefined;
      }
      if (up.issues.length || up.upstreamIssues.length) {
        issues.push(
          source.issue(
            path,
            `experiment '${name}' cannot be loaded; its problems are listed with this one.`,
          ),
        );
        return undefined;
      }
      return artifact;
    };

    const datasource =
      config.datasource !== undefined
        ? await buildDatasource(scope, config.datasource, upstream)
        : undefined;
    const { steps, written } = config.steps
      ? buildSteps(scope, config.steps, outputs)
      : { steps: [], written: new Set<string>() };
    if (config.steps) {
      for (const alias of outputs.keys()) {
        if (!written.has(alias)) {
          issues.push(
            source.issue(
              ['outputs', alias],
              `output '${alias}' is not written by any step: give a step a @Param field named '${alias}', or set a step parameter to '${alias}' (e.g. - SaveIt: { out: ${alias} }).`,
              true,
            ),
          );
        }
      }
    }
    const treatments: Treatment[] = [];
    for (const [name, values] of Object.entries(config.treatments ?? {})) {
      try {
        treatments.push(new Treatment(name, values ?? {}));
      } catch (e) {
        issues.push(source.issue(['treatments', name], (e as Error).message, true));
      }
    }
    const hypotheses = buildHypotheses(scope, config.hypotheses ?? []);
    if (
      (config.hypotheses?.length ?? 0) > 0 &&
      config.treatments !== undefined &&
      !treatments.some((t) => t.name !== 'baseline')
    ) {
      issues.push(
        source.issue(
          ['hypotheses'],
          'hypotheses compare treatments with the baseline, but there are no treatments: add some under treatments:.',
          true,
        ),
      );
    } else if (
      (config.hypotheses?.length ?? 0) > 0 &&
      config.treatments === undefined &&
      !issues.some((i) => i.path.startsWith('treatments'))
    ) {
      issues.push(
        source.issue(
          ['hypotheses'],
          'hypotheses compare treatments with the baseline, but there are no treatments: add some under treatments:.',
          true,
        ),
      );
    }

    if (issues.length || upstreamIssues.length || !datasource) {
      return { folder, experiment: undefined, outputs, issues, upstreamIssues, upstreams };
    }
    const o = this.options;
    const module = workerModuleUrl(folder, o);
    const plugins: BasePlugin[] = [
      new ArtifactPlugin({ rootDir: o.dataDir ?? 'data', versioned: true }),
      new LoggingPlugin(o.logLevel ? { level: o.logLevel } : {}),
      executionPlugin(
        o.execution ?? config.execution,
        o.workers ?? config.workers,
        module,
        o.progress ?? false,
      ),
    ];
    const seed = o.seed ?? config.seed;
    if (seed !== undefined) plugins.push(new SeedPlugin({ seed }));
    let experiment: Experiment | undefined;
    try {
      experiment = new Experiment({
        name: config.name ?? basename(folder),
        datasource,
        pipeline: steps,
        plugins,
        treatments,
        hypotheses,
        outputs: [...outputs.values()],
        module,
        ...(config.replicates !== undefined ? { replicates: config.replicates } : {}),
        ...(o.cache === false ? { cache: false as const } : {}),
      });
      experiment.validate();
    } catch (e) {
      const problems = e instanceof ValidationError ? e.problems : [(e as Error).message];
      for (const p of problems) issues.push(source.issue([], p));
      experiment = undefined;
    }
    if (experiment) rememberFolder(experiment, readFolderInfo(folder));
    return { folder, experiment, outputs, issues, upstreamIssues, upstreams };
  }
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

/**
 * Builds the `Experiment` a folder describes: `config.yaml` plus `datasources.ts`, `steps.ts`,
 * `verifiers.ts` and `outputs.ts` (TypeScript loads without a build step). Throws
 * {@link ConfigError} listing every problem, each with file:line:column. An upstream named by
 * `datasource: "up#output"` is loaded from the sibling folder `up`.
 *
 * @example
 * const exp = await loadExperiment('experiments/scale-demo');
 * const result = await exp.run();
 */
export async function loadExperiment(
  folder: string,
  options: LoadOptions = {},
): Promise<Experiment> {
  return orThrow(await new FolderLoader(options).load(folder));
}
