import type { ConfigIssue } from '../config-error.js';
import { didYouMean, listNames } from '../internal/did-you-mean.js';
import {
  moduleFileNames,
  type FolderModules,
  type ModuleKind,
} from '../internal/folder-modules.js';
import type { KeyPath, YamlSource } from '../internal/yaml-source.js';

/** What one folder's build needs to resolve names and report problems. */
export interface BuildScope {
  readonly folder: string;
  readonly source: YamlSource;
  readonly modules: FolderModules;
  readonly issues: ConfigIssue[];
}

export interface LookupSpec<T> {
  readonly kind: ModuleKind;
  /** 'step', 'data source', 'verifier', 'writer' ... */
  readonly what: string;
  /** What an export must be to count, and how to say so. */
  readonly accept: (value: unknown) => value is T;
  readonly expected: string;
  /** Names that resolve without a module (built-in verifiers, registered data sources). */
  readonly builtins?: Readonly<Record<string, T>>;
  readonly builtinsLabel?: string;
}

/**
 * Resolves `name` to an export of the folder's `kind` module (or a built-in), recording a
 * problem at `path` when it cannot: a missing module, an unknown name (listing the available
 * ones, with a "did you mean"), or an export of the wrong kind.
 */
export function lookup<T>(
  scope: BuildScope,
  name: string,
  path: KeyPath,
  spec: LookupSpec<T>,
): T | undefined {
  const mod = scope.modules[spec.kind];
  if (mod.error) return undefined; // reported once, for the module itself
  const exported = mod.exports[name];
  if (exported !== undefined) {
    if (spec.accept(exported)) return exported;
    scope.issues.push(
      scope.source.issue(
        path,
        `'${name}' is exported by ${shortName(mod.file)} but is not a ${spec.what}: expected ${spec.expected}.`,
      ),
    );
    return undefined;
  }
  const builtin = spec.builtins?.[name];
  if (builtin !== undefined) return builtin;
  const available = Object.keys(mod.exports).filter((k) => spec.accept(mod.exports[k]));
  const builtins = Object.keys(spec.builtins ?? {});
  const where = mod.file
    ? ` Available in ${shortName(mod.file)}: ${listNames(available)}.`
    : ` The folder has no ${spec.kind} module (looked for ${moduleFileNames(spec.kind)}).`;
  const label = spec.builtinsLabel ?? 'built-in';
  scope.issues.push(
    scope.source.issue(
      path,
      `unknown ${spec.what} '${name}'.${didYouMean(name, [...available, ...builtins])}${where}` +
        (builtins.length
          ? ` ${label[0]?.toUpperCase()}${label.slice(1)}: ${listNames(builtins)}.`
          : '') +
        (mod.file
          ? ''
          : ` To define it, create ${spec.kind}.ts exporting ${name} (${spec.expected}).`),
    ),
  );
  return undefined;
}

export function shortName(file: string | undefined): string {
  return file ? (file.split(/[\\/]/).pop() ?? file) : '(none)';
}

/** `Name` or `{ Name: { params } }` → [name, params]. */
export function splitNamed(
  entry: string | Readonly<Record<string, Readonly<Record<string, unknown>> | null>>,
): [string, Readonly<Record<string, unknown>>, boolean] {
  if (typeof entry === 'string') return [entry, {}, false];
  const [name, params] = Object.entries(entry)[0] as [
    string,
    Readonly<Record<string, unknown>> | null,
  ];
  return [name, params ?? {}, true];
}
