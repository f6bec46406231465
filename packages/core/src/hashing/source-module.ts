// One cohesive algorithm, kept in one file on purpose: reading a module's top-level
// declarations and imports and resolving a name to what it denotes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { loadAcorn } from './acorn.js';
import { cachedParse, parserId } from './code-cache.js';
import { rootLogger } from '../context/logger.js';
import {
  TS_VALUE_NODES,
  TYPE_KEYS,
  bindingNames,
  isNode,
  type AstNode,
} from './free-references.js';

/*
 * A user's source file as the code fingerprint sees it: its top-level bindings (declarations and
 * imports) and what it exports. Each file is read and parsed once per process — the code that
 * runs cannot change while the process lives. JavaScript goes through acorn (already loaded for
 * fingerprints); TypeScript through @babel/parser, loaded only when a .ts file is met.
 */

/** What a top-level name of a module denotes. */
export type Binding =
  | { readonly kind: 'local'; readonly node: AstNode; readonly label: string }
  | { readonly kind: 'import'; readonly source: string; readonly imported: string };

/** What an exported name of a module is. */
export type ExportTarget =
  | { readonly kind: 'local'; readonly local: string }
  | { readonly kind: 'reexport'; readonly source: string; readonly imported: string }
  | { readonly kind: 'node'; readonly node: AstNode; readonly label: string };

export interface SourceModule {
  readonly file: string;
  readonly program: AstNode;
  readonly bindings: ReadonlyMap<string, Binding>;
  readonly exports: ReadonlyMap<string, ExportTarget>;
  /** `export * from '...'` sources. */
  readonly stars: readonly string[];
  /** Every value import, for compiled code that reads imports as `helper_1.transform`. */
  readonly imports: readonly { readonly source: string; readonly imported: string }[];
}

const TS_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts']);

export function isTypeScriptFile(file: string): boolean {
  return TS_EXTENSIONS.has(extname(file));
}

type BabelParse = (
  source: string,
  options: { sourceType: 'module' | 'script'; plugins: unknown[]; errorRecovery?: boolean },
) => { program: AstNode };

let babel: BabelParse | undefined;
function babelParse(): BabelParse {
  babel ??= (createRequire(import.meta.url)('@babel/parser') as { parse: BabelParse }).parse;
  return babel;
}

function parseWithBabel(source: string, file: string): AstNode {
  const plugins: unknown[] = [['estree', { classFeatures: true }], 'decorators-legacy'];
  if (isTypeScriptFile(file)) plugins.push('typescript');
  if (/\.[jt]sx$/.test(file)) plugins.push('jsx');
  try {
    return babelParse()(source, { sourceType: 'module', plugins }).program;
  } catch {
    return babelParse()(source, { sourceType: 'script', plugins }).program;
  }
}

/**
 * Parses a JavaScript or TypeScript file into an ESTree program: through the code cache, which
 * keys the tree by both parsers' versions, the reading the file's extension selects, and the text.
 */
export function parseSource(source: string, file: string): AstNode {
  const ts = isTypeScriptFile(file);
  const jsx = /\.[jt]sx$/.test(file);
  const reading = `${parserId('acorn')} ${parserId('@babel/parser')} ${ts ? 'ts' : 'js'}${jsx ? 'x' : ''}`;
  return cachedParse(reading, source, () => parseUncached(source, file));
}

function parseUncached(source: string, file: string): AstNode {
  if (!isTypeScriptFile(file)) {
    for (const sourceType of ['module', 'script'] as const) {
      try {
        return loadAcorn().parse(source, {
          ecmaVersion: 'latest',
          sourceType,
          allowHashBang: true,
          allowReturnOutsideFunction: sourceType === 'script',
        }) as unknown as AstNode;
      } catch {
        // try the next reading, then babel (e.g. decorators in a .js file)
      }
    }
  }
  return parseWithBabel(source, file);
}

const COMPILED_IMPORT_HELPERS = new Set([
  '__importDefault',
  '__importStar',
  '__toESM',
  '_interopRequireDefault',
  '_interopRequireWildcard',
]);

/** `require('x')`, possibly wrapped by a compiler's interop helper: its 'x'. */
function requireSource(init: unknown): string | undefined {
  if (!isNode(init) || init.type !== 'CallExpression') return undefined;
  const callee = init['callee'];
  const args = init['arguments'] as unknown[];
  if (!isNode(callee) || callee.type !== 'Identifier') return undefined;
  const name = callee['name'] as string;
  if (name === 'require') {
    const arg = args[0];
    return isNode(arg) && typeof arg['value'] === 'string' ? arg['value'] : undefined;
  }
  return COMPILED_IMPORT_HELPERS.has(name) ? requireSource(args[0]) : undefined;
}

function nameOf(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'Identifier') return node['name'] as string;
  return typeof node['value'] === 'string' ? node['value'] : undefined;
}

/** `exports.x = ...` / `module.exports.x = ...`: the 'x'. */
function commonJsExportName(target: unknown): string | undefined {
  if (!isNode(target) || target.type !== 'MemberExpression' || target['computed'] === true) {
    return undefined;
  }
  const object = target['object'];
  const isExports =
    (isNode(object) && object.type === 'Identifier' && object['name'] === 'exports') ||
    (isNode(object) &&
      object.type === 'MemberExpression' &&
      nameOf(object['object']) === 'module' &&
      nameOf(object['property']) === 'exports');
  return isExports ? nameOf(target['property']) : undefined;
}

/** `Object.defineProperty(exports, 'x', ...)` (compiled re-exports): the 'x'. */
function definePropertyExportName(expr: AstNode): string | undefined {
  if (expr.type !== 'CallExpression') return undefined;
  const callee = expr['callee'];
  const args = expr['arguments'] as unknown[];
  if (
    !isNode(callee) ||
    callee.type !== 'MemberExpression' ||
    nameOf(callee['object']) !== 'Object' ||
    nameOf(callee['property']) !== 'defineProperty' ||
    nameOf(args[0]) !== 'exports'
  ) {
    return undefined;
  }
  const key = args[1];
  return isNode(key) && typeof key['value'] === 'string' ? key['value'] : undefined;
}

function analyse(file: string, program: AstNode): SourceModule {
  const bindings = new Map<string, Binding>();
  const exports = new Map<string, ExportTarget>();
  const stars: string[] = [];
  const imports: { source: string; imported: string }[] = [];
  const addImport = (local: string, source: string, imported: string): void => {
    bindings.set(local, { kind: 'import', source, imported });
    imports.push({ source, imported });
  };
  const declare = (decl: AstNode): string[] => {
    if (decl['declare'] === true) return [];
    if (decl.type === 'VariableDeclaration') {
      const names: string[] = [];
      for (const d of decl['declarations'] as AstNode[]) {
        const required = requireSource(d['init']);
        const id = d['id'] as AstNode;
        if (required !== undefined && id.type === 'Identifier') {
          addImport(id['name'] as string, required, '*');
          names.push(id['name'] as string);
          continue;
        }
        // The declarator with its kind: `let` and `const` of one value are different code.
        const node: AstNode = { type: 'Declaration', kind: decl['kind'], declarator: d };
        for (const n of bindingNames(id)) {
          bindings.set(n, { kind: 'local', node, label: n });
          names.push(n);
        }
      }
      return names;
    }
    const id = nameOf(decl['id']);
    if (
      id !== undefined &&
      (decl.type.endsWith('Declaration') || decl.type === 'ClassExpression')
    ) {
      if (decl.type.startsWith('TS') && !TS_VALUE_NODES.has(decl.type)) return [];
      bindings.set(id, { kind: 'local', node: decl, label: id });
      return [id];
    }
    return [];
  };

  for (const stmt of program['body'] as AstNode[]) {
    if (stmt['importKind'] === 'type' || stmt['exportKind'] === 'type') continue;
    switch (stmt.type) {
      case 'ImportDeclaration': {
        const source = stmt['source'] as AstNode;
        for (const s of (stmt['specifiers'] as AstNode[]) ?? []) {
          if (s['importKind'] === 'type') continue;
          const local = nameOf(s['local']) as string;
          const imported =
            s.type === 'ImportDefaultSpecifier'
              ? 'default'
              : s.type === 'ImportNamespaceSpecifier'
                ? '*'
                : (nameOf(s['imported']) ?? local);
          addImport(local, source['value'] as string, imported);
        }
        break;
      }
      case 'TSImportEqualsDeclaration': {
        const ref = stmt['moduleReference'];
        const expr = isNode(ref) ? ref['expression'] : undefined;
        const local = nameOf(stmt['id']);
        if (local && isNode(expr) && typeof expr['value'] === 'string') {
          addImport(local, expr['value'], '*');
        }
        break;
      }
      case 'ExportNamedDeclaration': {
        const source = isNode(stmt['source']) ? (stmt['source']['value'] as string) : undefined;
        if (isNode(stmt['declaration'])) {
          for (const n of declare(stmt['declaration'])) exports.set(n, { kind: 'local', local: n });
        }
        for (const s of (stmt['specifiers'] as AstNode[]) ?? []) {
          if (s['exportKind'] === 'type') continue;
          const exported = nameOf(s['exported']) as string;
          const local = s.type === 'ExportNamespaceSpecifier' ? '*' : (nameOf(s['local']) ?? '*');
          if (source !== undefined) {
            exports.set(exported, { kind: 'reexport', source, imported: local });
            imports.push({ source, imported: local });
          } else {
            exports.set(exported, { kind: 'local', local });
          }
        }
        break;
      }
      case 'ExportDefaultDeclaration': {
        const decl = stmt['declaration'] as AstNode;
        const names = declare(decl);
        if (names[0] !== undefined) exports.set('default', { kind: 'local', local: names[0] });
        else if (decl.type === 'Identifier') {
          exports.set('default', { kind: 'local', local: decl['name'] as string });
        } else exports.set('default', { kind: 'node', node: decl, label: 'default' });
        break;
      }
      case 'TSExportAssignment': {
        const expr = stmt['expression'] as AstNode;
        const local = nameOf(expr);
        exports.set(
          'default',
          local !== undefined && expr.type === 'Identifier'
            ? { kind: 'local', local }
            : { kind: 'node', node: expr, label: 'default' },
        );
        break;
      }
      case 'ExportAllDeclaration': {
        const source = (stmt['source'] as AstNode)['value'] as string;
        const exported = nameOf(stmt['exported']);
        if (exported !== undefined)
          exports.set(exported, { kind: 'reexport', source, imported: '*' });
        else stars.push(source);
        imports.push({ source, imported: '*' });
        break;
      }
      case 'ExpressionStatement': {
        // CommonJS output: `exports.x = x;` or `Object.defineProperty(exports, 'x', { get ... })`.
        const expr = stmt['expression'] as AstNode;
        const name =
          expr.type === 'AssignmentExpression'
            ? commonJsExportName(expr['left'])
            : definePropertyExportName(expr);
        if (name === undefined || name === '__esModule') break;
        const right = expr['right'];
        exports.set(
          name,
          isNode(right) && right.type === 'Identifier'
            ? { kind: 'local', local: right['name'] as string }
            : { kind: 'node', node: stmt, label: name },
        );
        break;
      }
      default:
        declare(stmt);
    }
  }
  return { file, program, bindings, exports, stars, imports };
}

const modules = new Map<string, SourceModule | null>();

/**
 * The parsed module at `file`, or undefined (logged at debug level) when it cannot be read or
 * parsed. Parsed once per process.
 */
export function loadModule(file: string): SourceModule | undefined {
  const known = modules.get(file);
  if (known !== undefined) return known ?? undefined;
  let mod: SourceModule | null = null;
  try {
    mod = analyse(file, parseSource(readFileSync(file, 'utf8'), file));
  } catch (e) {
    rootLogger().debug(
      { file, reason: (e as Error).message },
      'code fingerprint: cannot parse module; its module-level dependencies are not covered',
    );
  }
  modules.set(file, mod);
  return mod ?? undefined;
}

const SKIP_KEYS = new Set([
  'start',
  'end',
  'loc',
  'range',
  'raw',
  'extra',
  'leadingComments',
  'trailingComments',
  'innerComments',
  'comments',
  'tokens',
  'sourceType',
  'errors',
  ...TYPE_KEYS,
]);

/** `x as T`, `x satisfies T`, `x!`, `<T>x`, `f<T>`: at run time, just `x`. */
const TYPE_ONLY_WRAPPERS = new Set([
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSNonNullExpression',
  'TSTypeAssertion',
  'TSInstantiationExpression',
]);

function canonical(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(canonical);
  if (node === null || typeof node !== 'object') {
    return typeof node === 'bigint' ? `${node}n` : node;
  }
  if (node instanceof RegExp) return String(node);
  const n = node as AstNode;
  if (TYPE_ONLY_WRAPPERS.has(n.type)) return canonical(n['expression']);
  if (typeof n.type === 'string' && n.type.startsWith('TS') && !TS_VALUE_NODES.has(n.type)) {
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(n).sort()) {
    if (!SKIP_KEYS.has(key)) out[key] = canonical(n[key]);
  }
  return out;
}

const nodeHashes = new WeakMap<object, string>();

/** sha256 of a node's syntax without positions, comments, spellings or type annotations. */
export function hashNode(node: AstNode): string {
  let h = nodeHashes.get(node);
  if (h === undefined) {
    h = createHash('sha256')
      .update(JSON.stringify(canonical(node)))
      .digest('hex');
    nodeHashes.set(node, h);
  }
  return h;
}
