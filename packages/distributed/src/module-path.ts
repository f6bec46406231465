import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ValidationError } from '@crystallize/core';
import { WorkerRefusedError } from './errors.js';

const MODULE_EXTENSIONS = /\.(?:[cm]?[jt]s|tsx|jsx)$/;

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The submitter's side: the experiment's module as a path relative to the project root, with
 * `/` separators — what a job carries (never the code, never an absolute path).
 */
export function moduleRelativeToRoot(moduleUrl: string, root: string): string {
  const file = moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl;
  const path = real(file);
  const base = real(root);
  if (!inside(base, path)) {
    throw new ValidationError(
      `the experiment's module ${path} is outside the project root ${base}. Workers load modules only under their root: ` +
        'run from the project folder, or pass new DistributedExecution({ root }) naming the folder that holds the module.',
      'DistributedExecution',
    );
  }
  return relative(base, path).split(sep).join('/');
}

/** Refuses (throws) a job path that is not a plain relative path under the root. */
function checkRelative(
  relativePath: unknown,
  root: string,
  what: string,
): asserts relativePath is string {
  const refuse = (why: string): never => {
    throw new WorkerRefusedError(
      `refused to load ${what} ${JSON.stringify(relativePath)}: ${why}. A worker loads ${what}s only under its root (${root}); ` +
        'jobs name them relative to it, as the same project checkout has them.',
      'crystallize worker',
    );
  };
  if (typeof relativePath !== 'string' || relativePath === '') return refuse(`no ${what} path`);
  if (relativePath.includes('\0')) return refuse('the path holds a NUL byte');
  if (/^[a-z][a-z0-9+.-]*:/i.test(relativePath)) return refuse('it is a URL, not a relative path');
  if (isAbsolute(relativePath) || relativePath.startsWith('/') || relativePath.startsWith('\\'))
    return refuse('it is an absolute path');
  if (relativePath.split(/[\\/]/).includes('..')) return refuse('it climbs out with ..');
}

/** The real path of `relativePath` under the root, refused when a link leads out of it. */
function underRoot(relativePath: string, root: string, what: string): string {
  const base = real(root);
  const path = real(resolve(base, relativePath));
  if (!inside(base, path)) {
    throw new WorkerRefusedError(
      `refused to load ${what} ${JSON.stringify(relativePath)}: it resolves (through a link) outside the root. ` +
        `A worker loads ${what}s only under its root (${root}).`,
      'crystallize worker',
    );
  }
  return path;
}

/**
 * The worker's side: the file URL of a job's module under the worker's root. Absolute paths,
 * `..` segments, URLs, and symlinks leading out of the root are refused.
 */
export function moduleUnderRoot(relativePath: unknown, root: string): string {
  checkRelative(relativePath, root, 'module');
  if (!MODULE_EXTENSIONS.test(relativePath)) {
    throw new WorkerRefusedError(
      `refused to load module ${JSON.stringify(relativePath)}: it is not a JavaScript or TypeScript module. ` +
        `A worker loads modules only under its root (${root}); jobs name them relative to it.`,
      'crystallize worker',
    );
  }
  return pathToFileURL(underRoot(relativePath, root, 'module')).href;
}

/**
 * The submitter's side for a folder experiment: its folder relative to the project root, with
 * `/` separators (the folder must be under the root, as modules must).
 */
export function folderRelativeToRoot(folder: string, root: string): string {
  const path = real(folder);
  const base = real(root);
  if (!inside(base, path)) {
    throw new ValidationError(
      `the experiment folder ${path} is outside the project root ${base}. Workers load experiments only under their root: ` +
        'run from the project folder (crystallize --root <project> run ...), or pass new DistributedExecution({ root }) naming the folder that holds it.',
      'DistributedExecution',
    );
  }
  return relative(base, path).split(sep).join('/');
}

/**
 * The worker's side: the absolute path of a job's experiment folder under the worker's root
 * (a folder holding config.yaml). Absolute paths, `..`, URLs and links out of the root are refused.
 */
export function folderUnderRoot(relativePath: unknown, root: string): string {
  checkRelative(relativePath, root, 'experiment folder');
  const path = underRoot(relativePath, root, 'experiment folder');
  if (!existsSync(join(path, 'config.yaml'))) {
    throw new WorkerRefusedError(
      `refused experiment folder ${JSON.stringify(relativePath)}: there is no config.yaml in ${path}. ` +
        "Start the worker in the submitter's project checkout (crystallize worker --root <project>).",
      'crystallize worker',
    );
  }
  return path;
}

/**
 * A module a worker imports at start (`preload`), as the URL its jobs' module resolves to: a
 * path relative to the root (or absolute, inside it) of an existing JavaScript or TypeScript
 * module. Throws ValidationError naming the option otherwise.
 */
export function preloadUnderRoot(path: string, root: string): string {
  const fail = (why: string): never => {
    throw new ValidationError(
      `preload ${JSON.stringify(path)}: ${why}. Name the modules that define your experiments, relative to the worker's root ${root} ` +
        '(crystallize worker --preload experiments/main.ts).',
      'crystallize worker',
    );
  };
  const file = resolve(root, path);
  if (!existsSync(file)) return fail(`there is no such file (${file})`);
  const base = real(root);
  const abs = real(file);
  if (!inside(base, abs)) return fail('it is outside the root, where no job can name it');
  if (!MODULE_EXTENSIONS.test(abs)) return fail('it is not a JavaScript or TypeScript module');
  return moduleUnderRoot(relative(base, abs).split(sep).join('/'), root);
}
