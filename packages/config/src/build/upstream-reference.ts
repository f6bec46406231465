import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ConfigIssue } from '../config-error.js';
import { didYouMean, listNames } from '../internal/did-you-mean.js';
import type { KeyPath, YamlSource } from '../internal/yaml-source.js';
import { findExperimentFolders } from '../folder-info.js';
import type { LoadedFolder } from '../loaded-folder.js';
import type { UpstreamResolver } from './build-datasource.js';

/** What resolving `up#output` references of one folder needs and records. */
export interface UpstreamScope {
  readonly folder: string;
  readonly source: YamlSource;
  /** Folders being loaded on the way here (a reference back into them is a cycle). */
  readonly chain: readonly string[];
  readonly issues: ConfigIssue[];
  /** Filled: problems of the upstream folders. */
  readonly upstreamIssues: ConfigIssue[];
  /** Filled: upstream folders (absolute) read. */
  readonly upstreams: string[];
  /** Loads another folder in the same loader (one object per folder). */
  readonly load: (folder: string, chain: readonly string[]) => Promise<LoadedFolder>;
}

/**
 * The resolver of `datasource: "up#output"`: the sibling folder `up`, loaded, and its output
 * `output` — or a problem at the reference: no such folder (with a "did you mean"), a cycle, an
 * output it does not declare, or an upstream that cannot be loaded.
 */
export function upstreamResolver(scope: UpstreamScope): UpstreamResolver {
  const { folder, source, chain, issues } = scope;
  const problem = (path: KeyPath, message: string): undefined => {
    issues.push(source.issue(path, message));
    return undefined;
  };
  return async (name, output, path) => {
    const parent = dirname(folder);
    const upFolder = join(parent, name);
    if (!name || !output) {
      return problem(
        path,
        `expected "upstream#output" (a folder beside this one, and one of its outputs), got "${name}#${output}"`,
      );
    }
    if (!existsSync(join(upFolder, 'config.yaml'))) {
      const siblings = findExperimentFolders(parent)
        .map((f) => basename(f))
        .filter((f) => f !== basename(folder));
      return problem(
        path,
        `no folder experiment '${name}' beside this one (looked for ${join(upFolder, 'config.yaml')}).${didYouMean(name, siblings)} Folders: ${listNames(siblings)}.`,
      );
    }
    if (chain.includes(upFolder)) {
      const cycle = [...chain.slice(chain.indexOf(upFolder)), upFolder].map((f) => basename(f));
      return problem(
        path,
        `experiments read each other's outputs in a cycle: ${cycle.join(' -> ')}. Remove one of these references.`,
      );
    }
    scope.upstreams.push(upFolder);
    const up = await scope.load(upFolder, chain);
    scope.upstreamIssues.push(...up.issues, ...up.upstreamIssues);
    const cannotLoad = `experiment '${name}' cannot be loaded; its problems are listed with this one.`;
    const artifact = up.outputs.get(output);
    if (!artifact) {
      const declared = [...up.outputs.keys()];
      return problem(
        path,
        up.issues.length === 0 || declared.length > 0
          ? `experiment '${name}' has no output '${output}'.${didYouMean(output, declared)} Its outputs: ${listNames(declared)} (declared under outputs: in ${name}/config.yaml).`
          : cannotLoad,
      );
    }
    if (up.issues.length || up.upstreamIssues.length) return problem(path, cannotLoad);
    return artifact;
  };
}
