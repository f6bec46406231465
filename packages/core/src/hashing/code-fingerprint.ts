import { createHash } from 'node:crypto';
import { parseExpressionAt, type Node } from 'acorn';

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
  return out;
}

/** The formatting- and coverage-independent form of a function's or class's source. */
export function normalizeSource(source: string): string {
  let tree: Node;
  try {
    tree = parseExpressionAt(`(${source})`, 0, { ecmaVersion: 'latest' });
  } catch {
    // Native or exotic functions: fall back to whitespace-insensitive text.
    return source.replace(/\s+/g, ' ').trim();
  }
  return JSON.stringify(strip(tree));
}

const cache = new WeakMap<object, string>();

/**
 * sha256 of the normalised source of `fn` and of its base classes, up to but excluding `stopAt`.
 * Cached per class: the source cannot change while a process runs.
 */
export function codeFingerprint(
  fn: abstract new (...args: never[]) => unknown,
  stopAt?: unknown,
): string;
export function codeFingerprint(fn: (...args: never[]) => unknown, stopAt?: unknown): string;
export function codeFingerprint(fn: object, stopAt?: unknown): string {
  const hit = cache.get(fn);
  if (hit) return hit;
  const hash = createHash('sha256');
  for (
    let c: unknown = fn;
    typeof c === 'function' && c !== stopAt && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    hash.update(normalizeSource(Function.prototype.toString.call(c)));
    hash.update('\0');
  }
  const digest = hash.digest('hex');
  cache.set(fn, digest);
  return digest;
}
