import { createHash } from 'node:crypto';
import type { Node } from 'acorn';
import { loadAcorn } from './acorn.js';
import { cachedParse, parserId } from './code-cache.js';
import { METADATA_SYMBOL } from '../internal/metadata.js';
import { definitionSiteOf, recordDefinitionSite, type DefinitionSite } from './definition-site.js';
import { moduleDependencies } from './module-dependencies.js';

/*
 * A code fingerprint must change when a step's code changes and stay put across processes,
 * runs and coverage tools. Raw `Function.prototype.toString()` is not enough: Istanbul-style
 * coverage (babel-plugin-istanbul, used by jest's default `coverageProvider: 'babel'`) inserts
 * `cov_xyz().s[3]++` counters and reprints the code. So the source is parsed with acorn, the
 * coverage counters are removed from the syntax tree, and the tree — without positions, raw
 * spellings or formatting — is what gets hashed. V8 coverage does not touch the source at all.
 */

const SKIP_KEYS = new Set(['start', 'end', 'loc', 'range', 'raw', 'sourceType']);
const COUNTER_ROOT = /^cov_[\w$]+$/;

function isCoverageCall(node: unknown): boolean {
  // cov_abc() or cov_abc().s[1]++ / cov_abc().b[2][0]++ / cov_abc().f[0]++
  let n = node as {
    type?: string;
    argument?: unknown;
    object?: unknown;
    callee?: unknown;
    name?: string;
  };
  if (n?.type === 'UpdateExpression') n = n.argument as typeof n;
  while (n?.type === 'MemberExpression') n = n.object as typeof n;
  if (n?.type !== 'CallExpression') return false;
  const callee = n.callee as { type?: string; name?: string };
  return callee?.type === 'Identifier' && COUNTER_ROOT.test(callee.name ?? '');
}

function strip(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node
      .filter((n) => !(n?.type === 'ExpressionStatement' && isCoverageCall(n.expression)))
      .map(strip);
  }
  if (node === null || typeof node !== 'object') return node;
  const n = node as Record<string, unknown> & { type?: string };
  if (n.type === 'SequenceExpression') {
    const kept = (n['expressions'] as unknown[]).filter((x) => !isCoverageCall(x));
    if (kept.length === 1) return strip(kept[0]);
    return { type: 'SequenceExpression', expressions: kept.map(strip) };
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(n).sort()) {
    if (SKIP_KEYS.has(key)) continue;
    const v = n[key];
    out[key] = typeof v === 'bigint' ? `${v}n` : v instanceof RegExp ? String(v) : strip(v);
  }
  return canonicalShape(out);
}

type Tree = Record<string, unknown> & { type?: string };

const LOOPS = new Set([
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
]);

function isBlock(node: unknown): node is Tree & { body: Tree[] } {
  return (node as Tree | null)?.type === 'BlockStatement';
}

/** `{ stmt }` -> `stmt`, unless the block scopes a declaration (then the braces mean something). */
function unwrap(node: unknown): unknown {
  if (!isBlock(node) || node.body.length !== 1) return node;
  const only = node.body[0] as Tree;
  const scoped =
    only.type === 'FunctionDeclaration' ||
    only.type === 'ClassDeclaration' ||
    (only.type === 'VariableDeclaration' && only['kind'] !== 'var');
  return scoped ? node : only;
}

/*
 * Istanbul does more than insert counters: it braces the bodies of `if`/`else` and loops, adds an
 * `else {}` to count the untaken branch, and turns `x => expr` into `x => { return expr; }`. With
 * the counters stripped, these reshapes mean the same as the original, so both spellings are
 * brought to one canonical form.
 */
function canonicalShape(node: Tree): Tree {
  if (node.type === 'IfStatement') {
    node['consequent'] = unwrap(node['consequent']);
    const alt = node['alternate'];
    node['alternate'] = isBlock(alt) && alt.body.length === 0 ? null : unwrap(alt);
  } else if (node.type !== undefined && LOOPS.has(node.type)) {
    node['body'] = unwrap(node['body']);
  } else if (node.type === 'ArrowFunctionExpression' && isBlock(node['body'])) {
    const body = node['body'].body;
    const only = body[0];
    if (body.length === 1 && only?.type === 'ReturnStatement' && only['argument']) {
      node['body'] = only['argument'];
      node['expression'] = true;
    }
  }
  return node;
}

const normalized = new Map<string, string>();

/**
 * The formatting- and coverage-independent form of a function's or class's source. The parse
 * comes from the code cache between processes (the parser's own output, keyed by its version
 * and the text); stripping it runs every time, so a change to this file never meets a stale
 * entry. Kept per process.
 */
export function normalizeSource(source: string): string {
  let form = normalized.get(source);
  if (form === undefined) {
    const tree = cachedParse(`${parserId('acorn')} expression`, source, () => {
      try {
        return loadAcorn().parseExpressionAt(`(${source})`, 0, { ecmaVersion: 'latest' }) as Node;
      } catch {
        return null;
      }
    });
    // Native or exotic functions: whitespace-insensitive text.
    form = tree ? JSON.stringify(strip(tree)) : source.replace(/\s+/g, ' ').trim();
    if (normalized.size >= 256) normalized.clear();
    normalized.set(source, form);
  }
  return form;
}

// Per class, then per stop class: the same class hashed up to different bases differs.
const cache = new WeakMap<object, Map<unknown, string>>();

/** Code written as a function but run by a generated class (function steps). */
type Callable = (...args: never[]) => unknown;
const codeOf = new WeakMap<object, { readonly fn: Callable; readonly label: string }>();

/**
 * @internal Declares that the generated class `cls` runs `fn` (a function step): its fingerprint
 * is `fn`'s code and what `fn` reads at module level in the file calling this (the caller of the
 * framework function that calls it).
 */
export function defineFunctionCode(cls: object, fn: Callable, label: string): void {
  codeOf.set(cls, { fn, label });
  recordDefinitionSite(cls);
}

/** The site of a class: its own (decorators, data sources), or its decorator metadata's. */
function ownSite(c: object): DefinitionSite | undefined {
  const site = definitionSiteOf(c);
  if (site || !Object.prototype.hasOwnProperty.call(c, METADATA_SYMBOL)) return site;
  const metadata = (c as Record<symbol, unknown>)[METADATA_SYMBOL];
  return typeof metadata === 'object' && metadata !== null ? definitionSiteOf(metadata) : undefined;
}

/**
 * Digests of the module-level code each class of `chain` reads. A class with no site of its own
 * (an undecorated class) is looked up by name from the file of the nearest subclass (else base
 * class) that has one: that file declares or imports it.
 */
function chainDependencies(chain: readonly object[]): string[] {
  const sites = chain.map(ownSite);
  return chain.flatMap((c, i) => {
    const near =
      sites[i] ??
      sites
        .slice(0, i)
        .reverse()
        .find((s) => s !== undefined) ??
      sites.slice(i + 1).find((s) => s !== undefined);
    if (!near) return [];
    const site = sites[i] ?? { file: near.file, inline: false };
    const described = codeOf.get(c);
    const code = described?.fn ?? c;
    const name = (code as { name?: unknown }).name;
    const digest = moduleDependencies(
      Function.prototype.toString.call(code),
      typeof name === 'string' ? name : '',
      site,
    );
    return digest === undefined ? [] : [digest];
  });
}

/**
 * sha256 of the normalised source of `fn` and of its base classes, up to but excluding `stopAt`,
 * and of the module-level code they read: functions, classes, constants and enums of their
 * module and of relative imports (transitively), and the name@version of imported packages.
 * Those dependencies are found from where the code was declared (a `@PipelineStep` class, a
 * `pipelineStep()` function, an experiment's data source); code declared elsewhere counts its
 * own source only. Cached per class: the source cannot change while a process runs.
 */
export function codeFingerprint(
  fn: abstract new (...args: never[]) => unknown,
  stopAt?: unknown,
): string;
export function codeFingerprint(fn: (...args: never[]) => unknown, stopAt?: unknown): string;
export function codeFingerprint(fn: object, stopAt?: unknown): string {
  let byStop = cache.get(fn);
  const hit = byStop?.get(stopAt);
  if (hit) return hit;
  const hash = createHash('sha256');
  const described = codeOf.get(fn);
  const chain: object[] = [];
  if (described) {
    hash.update(`fn:${described.label}\0${normalizeSource(described.fn.toString())}`);
    chain.push(fn);
  } else {
    for (
      let c: unknown = fn;
      typeof c === 'function' && c !== stopAt && c !== Function.prototype;
      c = Object.getPrototypeOf(c)
    ) {
      hash.update(normalizeSource(Function.prototype.toString.call(c)));
      hash.update('\0');
      chain.push(c);
    }
  }
  for (const digest of chainDependencies(chain)) hash.update(`deps:${digest}\0`);
  const digest = hash.digest('hex');
  if (!byStop) cache.set(fn, (byStop = new Map()));
  byStop.set(stopAt, digest);
  return digest;
}
