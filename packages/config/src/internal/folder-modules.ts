import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigIssue } from '../config-error.js';
import { excerpt } from './yaml-source.js';

/** The code modules a folder experiment may have, each optional. */
export const MODULE_KINDS = ['datasources', 'steps', 'verifiers', 'outputs'] as const;
export type ModuleKind = (typeof MODULE_KINDS)[number];
const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export interface FolderModule {
  readonly kind: ModuleKind;
  /** The file found (absolute), or undefined when the folder has none. */
  readonly file: string | undefined;
  readonly exports: Readonly<Record<string, unknown>>;
  /** Why importing it failed. */
  readonly error: ConfigIssue | undefined;
}

export type FolderModules = Readonly<Record<ModuleKind, FolderModule>>;

let registered: Promise<void> | undefined;

/**
 * Imports a folder's modules; TypeScript loads through tsx's ESM hooks, registered once per
 * process (or worker), as ParallelExecution's workers load TypeScript. Not tsx's namespaced
 * `tsImport`: it would give the folder's modules their own copy of every package they import
 * (`@crystallize/core` included), and a step class from one copy is not a `Step` of the other.
 * Node caches modules, so a process loads a folder's code once; `crystallize run --watch`
 * reruns in a fresh process to see edits.
 */
export class ModuleLoader {
  async import(file: string): Promise<Record<string, unknown>> {
    if (/\.[cm]?tsx?$/.test(file)) {
      // Loaded on first use: importing the framework does not load tsx.
      // The folder's own tsconfig (decorator mode, paths), not the one of the working directory:
      // a workspace's tsconfig may map 'crystallize' to sources, a second copy of the framework.
      const tsconfig = nearestTsconfig(dirname(file));
      registered ??= import('tsx/esm/api').then(({ register }) => {
        try {
          register({ tsconfig: tsconfig ?? false });
        } catch {
          // A host with its own module loader refuses loader hooks (jest: "module.register() is
          // not supported"); it transforms TypeScript itself (ts-jest), so import as it is. In a
          // host that does not, the import below fails with Node's "Unknown file extension".
        }
      });
      await registered;
    }
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  }

  async folder(folder: string): Promise<FolderModules> {
    const out = {} as Record<ModuleKind, FolderModule>;
    for (const kind of MODULE_KINDS) {
      const file = EXTENSIONS.map((ext) => join(folder, kind + ext)).find((f) => existsSync(f));
      if (!file) {
        out[kind] = { kind, file: undefined, exports: {}, error: undefined };
        continue;
      }
      try {
        out[kind] = { kind, file, exports: { ...(await this.import(file)) }, error: undefined };
      } catch (e) {
        out[kind] = { kind, file, exports: {}, error: importIssue(file, e) };
      }
    }
    return out;
  }
}

function nearestTsconfig(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'tsconfig.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(d) === d) return undefined;
  }
}

/** Where in `file` an import error points, when its message or stack says. */
function importIssue(file: string, e: unknown): ConfigIssue {
  const err = e as Error;
  const text = `${err?.message ?? String(e)}\n${err?.stack ?? ''}`;
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(text);
  const message = err?.message ?? String(e);
  // esbuild: "Transform failed with 1 error:\n<file>:6:31: ERROR: Unexpected ")"" — keep the reason.
  const commonJsScope = /require\(\) (of )?ES Module|ERR_REQUIRE_ESM|ERR_REQUIRE_CYCLE_MODULE/.test(
    message,
  );
  const reason = commonJsScope
    ? 'Node loads it as CommonJS, but folder modules are ES modules. Add "type": "module" to the project\'s package.json, or name the file with .mts.'
    : (/ERROR: (.*)/.exec(message)?.[1] ?? message.split('\n')[0] ?? '');
  const line = m ? Number(m[1]) : 1;
  const column = m ? Number(m[2]) : 1;
  let source: string[] = [];
  try {
    source = readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    source = [];
  }
  return {
    file,
    line,
    column,
    path: '',
    message: `importing this module failed: ${reason}`,
    excerpt: m ? excerpt(source, line, column) : '',
  };
}

/** The file names a module of `kind` may have, for messages. */
export function moduleFileNames(kind: ModuleKind): string {
  return EXTENSIONS.map((e) => kind + e).join(', ');
}

/**
 * Imports a JavaScript or TypeScript module (TypeScript through tsx, no build step) the way a
 * folder's modules are loaded.
 *
 * @example const ns = await importModule('src/experiments.ts');
 */
export function importModule(file: string): Promise<Record<string, unknown>> {
  return new ModuleLoader().import(file);
}
