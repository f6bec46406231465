import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { didYouMean, findExperimentFolders, readFolderInfo } from '@crystallize/config';
import { UsageError } from './usage-error.js';

/** Where a project keeps its experiments, stored results and cache. */
export interface Project {
  readonly root: string;
  /** `<root>/experiments` */
  readonly experimentsDir: string;
  /** `<root>/data`: stored runs. */
  readonly dataDir: string;
  /** `CRYSTALLIZE_CACHE_DIR`, else `<root>/.cache`. */
  readonly cacheDir: string;
}

export function project(root: string | undefined): Project {
  const abs = resolve(root ?? '.');
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new UsageError(`--root ${root}: no such folder (${abs}).`);
  }
  return {
    root: abs,
    experimentsDir: join(abs, 'experiments'),
    dataDir: join(abs, 'data'),
    cacheDir: resolve(abs, process.env['CRYSTALLIZE_CACHE_DIR'] || '.cache'),
  };
}

/** What `run`, `show` and `clean` act on. */
export type Target =
  | { readonly kind: 'folder'; readonly folder: string }
  | { readonly kind: 'graph'; readonly root: string }
  | { readonly kind: 'module'; readonly file: string; readonly exportName: string | undefined };

const MODULE = /\.(?:[cm]?[jt]s|tsx)$/;

/**
 * A folder name (under `<root>/experiments`), a folder path (an experiment folder, or a folder
 * of them: a graph root), or `path/to/module.ts[#exportName]`.
 */
export function resolveTarget(p: Project, target: string): Target {
  const hash = target.lastIndexOf('#');
  const file = hash > 0 ? target.slice(0, hash) : target;
  if (MODULE.test(file)) {
    const candidates = isAbsolute(file) ? [file] : [resolve(file), join(p.root, file)];
    const found = candidates.find((f) => existsSync(f));
    if (!found)
      throw new UsageError(`module ${file} not found (looked for ${candidates.join(', ')}).`);
    return {
      kind: 'module',
      file: found,
      exportName: hash > 0 ? target.slice(hash + 1) : undefined,
    };
  }
  for (const dir of [join(p.experimentsDir, target), resolve(target), resolve(p.root, target)]) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    if (existsSync(join(dir, 'config.yaml'))) return { kind: 'folder', folder: dir };
    if (findExperimentFolders(dir).length) return { kind: 'graph', root: dir };
  }
  const folders = findExperimentFolders(p.experimentsDir);
  const byName = folders.find((f) => readFolderInfo(f).name === target);
  if (byName) return { kind: 'folder', folder: byName };
  const names = folders.map((f) => basename(f));
  throw new UsageError(
    `no experiment '${target}' in ${p.experimentsDir}.${didYouMean(target, names)} ` +
      (names.length
        ? `Experiments: ${names.join(', ')}.`
        : 'There are none yet: crystallize new <name> creates one.') +
      ' A target is a folder name, a folder path, or path/to/module.ts#exportName.',
  );
}
