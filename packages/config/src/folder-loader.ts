import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ValidationError } from '@crystallize/core';
import { Experiment, type Artifact } from '@crystallize/orchestrator';
import type { ConfigIssue } from './config-error.js';
import { buildDatasource } from './build/build-datasource.js';
import { buildHypotheses } from './build/build-hypotheses.js';
import { buildOutputs, checkOutputsWritten } from './build/build-outputs.js';
import { buildPlugins } from './build/build-plugins.js';
import { buildSteps } from './build/build-steps.js';
import { buildTreatments } from './build/build-treatments.js';
import type { BuildScope } from './build/lookup.js';
import { upstreamResolver } from './build/upstream-reference.js';
import { ModuleLoader } from './internal/folder-modules.js';
import { readFolderInfo, rememberFolder } from './folder-info.js';
import { folderModuleUrl } from './folder-source.js';
import type { LoadedFolder } from './loaded-folder.js';
import type { LoadOptions } from './load-options.js';
import { parseConfig } from './schema/parse-config.js';

/**
 * Loads folders sharing one module namespace and one experiment per folder, so a graph's
 * upstream is the same object for every downstream. Each section of config.yaml is built by its
 * own builder (build/); this class only sequences them and assembles the Experiment.
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
      const outputs = new Map<string, Artifact>();
      return { folder, experiment: undefined, outputs, issues: [issue], upstreamIssues, upstreams };
    }
    const { source, config, issues } = parseConfig(configFile);
    const modules = await this.#modules.folder(folder);
    for (const m of Object.values(modules)) if (m.error) issues.push(m.error);
    const scope: BuildScope = { folder, source, modules, issues };

    const outputs = buildOutputs(scope, config.outputs);
    const upstream = upstreamResolver({
      folder,
      source,
      chain,
      issues,
      upstreamIssues,
      upstreams,
      load: (f, c) => this.load(f, c),
    });
    const datasource =
      config.datasource !== undefined
        ? await buildDatasource(scope, config.datasource, upstream)
        : undefined;
    const { steps, written } = config.steps
      ? buildSteps(scope, config.steps, outputs)
      : { steps: [], written: new Set<string>() };
    if (config.steps) checkOutputsWritten(scope, outputs, written);
    const treatments = buildTreatments(scope, config);
    const hypotheses = buildHypotheses(scope, config.hypotheses ?? []);

    if (issues.length || upstreamIssues.length || !datasource) {
      return { folder, experiment: undefined, outputs, issues, upstreamIssues, upstreams };
    }
    const module = folderModuleUrl(folder, this.options);
    let experiment: Experiment | undefined;
    try {
      experiment = new Experiment({
        name: config.name ?? basename(folder),
        datasource,
        pipeline: steps,
        plugins: buildPlugins(config, this.options, module),
        treatments,
        hypotheses,
        outputs: [...outputs.values()],
        module,
        ...(config.replicates !== undefined ? { replicates: config.replicates } : {}),
        ...(this.options.cache === false ? { cache: false as const } : {}),
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
