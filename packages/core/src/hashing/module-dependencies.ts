import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAcorn } from './acorn.js';
import { cachedParse, parserId } from './code-cache.js';
import { rootLogger } from '../context/logger.js';
import type { DefinitionSite } from './definition-site.js';
import { freeReferences, type AstNode, type FreeReference } from './free-references.js';
import {
  hashNode,
  isTypeScriptFile,
  loadModule,
  type Binding,
  type SourceModule,
} from './source-module.js';

/*
 * What a step's code depends on beyond its own text: the module-level functions, classes,
 * constants and enums it reads — followed transitively through its module and the relative
 * imports of the user's source — and the name@version of each package it imports. The
 * dependency list is made of syntax hashes (no paths), so it does not change when a project
 * moves, and each entry is computed from files parsed once per process.
 */

const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];
const TS_FOR_JS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};
const BUILTINS = new Set(builtinModules);

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isRelative(specifier: string): boolean {
  return (
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier === '.' ||
    specifier === '..' ||
    specifier.startsWith('/') ||
    specifier.startsWith('file:')
  );
}

/** The file a relative import of `from` denotes, as TypeScript and Node resolve it. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = specifier.startsWith('file:')
    ? fileURLToPath(specifier)
    : resolve(dirname(from), specifier);
  const ext = extname(base);
  const tsSiblings = (TS_FOR_JS[ext] ?? []).map((e) => base.slice(0, -ext.length) + e);
  const extended = CODE_EXTENSIONS.flatMap((e) => [base + e, join(base, `index${e}`)]);
  // A .ts file importing './x.js' means './x.ts'; a compiled .js file means the .js file itself.
  const candidates = isTypeScriptFile(from)
    ? [...tsSiblings, base, ...extended]
    : [base, ...tsSiblings, ...extended];
  return candidates.find(isFile);
}

/** `lodash/fp` -> `lodash`, `@scope/pkg/sub` -> `@scope/pkg`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

const packageVersions = new Map<string, string>();

/** `name@version` of the package `specifier` names, as seen from `from`'s folder. */
function packageIdentity(from: string, specifier: string): string {
  const name = packageName(specifier);
  const key = `${dirname(from)}\0${name}`;
  let identity = packageVersions.get(key);
  if (identity === undefined) {
    identity = `${name}@?`;
    for (let dir = dirname(from); ; dir = dirname(dir)) {
      const manifest = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(manifest)) {
        try {
          const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
          identity = `${name}@${typeof pkg.version === 'string' ? pkg.version : '?'}`;
        } catch {
          // unreadable manifest: the name alone
        }
        break;
      }
      if (dirname(dir) === dir) break;
    }
    packageVersions.set(key, identity);
  }
  return identity;
}

/** `helper_1` (tsc) or `import_helper` (esbuild) for './helper': does `local` name `source`? */
function namesSource(local: string, source: string): boolean {
  const stem = basename(source, extname(source)).replace(/[^\w$]/g, '_');
  return stem.length > 0 && local.includes(stem);
}

class DependencyWalk {
  readonly entries = new Set<string>();
  private readonly visited = new Set<object>();
  private readonly exportsSeen = new Set<string>();

  /** Marks a node as already covered (the root's own declaration). */
  cover(node: AstNode): void {
    this.visited.add(node);
  }

  references(mod: SourceModule, refs: readonly FreeReference[]): void {
    for (const ref of refs) this.reference(mod, ref);
  }

  private reference(mod: SourceModule, ref: FreeReference): void {
    const binding = mod.bindings.get(ref.name);
    if (binding) {
      this.binding(mod, binding, ref.member);
      return;
    }
    if (ref.member === undefined) return; // a global (Math, console) or a closure variable
    if (ref.name === 'exports') {
      // CommonJS output reads its own exported constants as `exports.GAIN`.
      this.exported(mod, ref.member);
      return;
    }
    // Compiled imports read as `helper_1.transform` / `import_helper.transform`.
    const candidates = mod.imports.filter((i) => i.imported === ref.member);
    const chosen = candidates.find((i) => namesSource(ref.name, i.source)) ?? candidates[0];
    if (chosen) this.imported(mod, chosen.source, chosen.imported, undefined);
  }

  binding(mod: SourceModule, binding: Binding, member: string | undefined): void {
    if (binding.kind === 'local') this.node(mod, binding.node, binding.label);
    else this.imported(mod, binding.source, binding.imported, member);
  }

  private node(mod: SourceModule, node: AstNode, label: string): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    this.entries.add(`code:${label}:${hashNode(node)}`);
    this.references(mod, freeReferences(node));
  }

  imported(mod: SourceModule, source: string, imported: string, member: string | undefined): void {
    if (!isRelative(source)) {
      const bare = source.startsWith('node:') ? source.slice(5) : source;
      if (!BUILTINS.has(bare) && !BUILTINS.has(packageName(bare))) {
        this.entries.add(`package:${packageIdentity(mod.file, source)}`);
      }
      return;
    }
    const file = resolveRelative(mod.file, source);
    if (file === undefined) {
      this.entries.add(`missing:${source}`);
      return;
    }
    const target = CODE_EXTENSIONS.includes(extname(file)) ? loadModule(file) : undefined;
    if (!target) {
      // JSON and other data files, or code we cannot parse: their bytes.
      this.entries.add(`file:${createHash('sha256').update(readFileSync(file)).digest('hex')}`);
      return;
    }
    if (imported !== '*') this.exported(target, imported);
    else if (member !== undefined) this.exported(target, member);
    else this.wholeModule(target);
  }

  private wholeModule(mod: SourceModule): void {
    if (this.visited.has(mod)) return;
    this.visited.add(mod);
    for (const name of mod.exports.keys()) this.exported(mod, name);
    for (const star of mod.stars) this.imported(mod, star, '*', undefined);
  }

  /** Covers what `mod` exports as `name`; false when it exports no such name. */
  exported(mod: SourceModule, name: string): boolean {
    const key = `${mod.file}\0${name}`;
    if (this.exportsSeen.has(key)) return true;
    this.exportsSeen.add(key);
    const target = mod.exports.get(name);
    if (target?.kind === 'local') {
      const b = mod.bindings.get(target.local);
      if (b) this.binding(mod, b, undefined);
      return true;
    }
    if (target?.kind === 'reexport') {
      this.imported(mod, target.source, target.imported, undefined);
      return true;
    }
    if (target?.kind === 'node') {
      this.node(mod, target.node, target.label);
      return true;
    }
    const local = mod.bindings.get(name);
    if (local) {
      this.binding(mod, local, undefined);
      return true;
    }
    for (const star of mod.stars) {
      const file = resolveRelative(mod.file, star);
      const starred = file !== undefined ? loadModule(file) : undefined;
      if (starred && this.exported(starred, name)) return true;
    }
    this.exportsSeen.delete(key);
    return false;
  }
}

/** The runtime source of a function or class as a syntax tree (what `toString()` shows). */
function parseRuntime(source: string): AstNode | undefined {
  // The first reading is the one normalizeSource caches: one entry serves both.
  for (const [reading, wrapped] of [
    ['expression', `(${source})`],
    ['object-member', `({${source}})`],
  ] as const) {
    const tree = cachedParse(`${parserId('acorn')} ${reading}`, source, () => {
      try {
        return loadAcorn().parseExpressionAt(wrapped, 0, {
          ecmaVersion: 'latest',
        }) as unknown as AstNode;
      } catch {
        return null; // a method shorthand `name() {}` parses inside an object literal
      }
    });
    if (tree) return tree;
  }
  return undefined;
}

/** Where the code named `name` is declared, starting from `site`'s module. */
function locate(site: DefinitionSite, name: string): Located | undefined {
  const mod = loadModule(site.file);
  if (!mod) return undefined;
  const binding = name ? mod.bindings.get(name) : undefined;
  if (binding?.kind === 'local') return { mod, node: binding.node };
  if (binding?.kind === 'import') return locateImport(mod, binding.source, binding.imported, name);
  return site.inline ? { mod } : undefined;
}

interface Located {
  readonly mod: SourceModule;
  readonly node?: AstNode;
  readonly package?: string;
}

function locateImport(
  mod: SourceModule,
  source: string,
  imported: string,
  name: string,
  depth = 0,
): Located | undefined {
  if (!isRelative(source)) return { mod, package: source };
  const file = resolveRelative(mod.file, source);
  const target = file !== undefined ? loadModule(file) : undefined;
  if (!target || depth > 32) return undefined;
  return locateExport(target, imported === '*' ? name : imported, depth + 1);
}

/** Follows an export (and re-exports) to the module that declares it. */
function locateExport(mod: SourceModule, exported: string, depth: number): Located | undefined {
  const target = mod.exports.get(exported);
  const local = target?.kind === 'local' ? target.local : exported;
  if (target?.kind === 'node') return { mod, node: target.node };
  if (target?.kind === 'reexport') {
    return locateImport(mod, target.source, target.imported, exported, depth);
  }
  const binding = mod.bindings.get(local);
  if (binding?.kind === 'local') return { mod, node: binding.node };
  if (binding?.kind === 'import') {
    return locateImport(mod, binding.source, binding.imported, local, depth);
  }
  for (const star of mod.stars) {
    const found = locateImport(mod, star, exported, exported, depth);
    if (found) return found;
  }
  return undefined;
}

/**
 * A digest of everything `source` (the runtime text of a function or class named `name`) reads
 * at module level, resolved from `site`. Undefined, with a debug log, when the module cannot be
 * found or read: the fingerprint then covers the code's own text only.
 */
export function moduleDependencies(
  source: string,
  name: string,
  site: DefinitionSite,
): string | undefined {
  try {
    const root = parseRuntime(source);
    const found = root ? locate(site, name) : undefined;
    if (!root || !found) {
      rootLogger().debug(
        { file: site.file, name },
        'code fingerprint: cannot find where this code is declared; its module-level dependencies are not covered',
      );
      return undefined;
    }
    const walk = new DependencyWalk();
    if (found.package !== undefined) {
      walk.imported(found.mod, found.package, '*', undefined);
    } else {
      if (found.node) walk.cover(found.node);
      walk.references(found.mod, freeReferences(root));
    }
    return createHash('sha256')
      .update([...walk.entries].sort().join('\n'))
      .digest('hex');
  } catch (e) {
    rootLogger().debug(
      { file: site.file, name, reason: (e as Error).message },
      'code fingerprint: module-level dependencies not covered',
    );
    return undefined;
  }
}
