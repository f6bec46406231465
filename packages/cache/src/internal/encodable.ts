import { UnencodableValueError } from '../cache-errors.js';

/**
 * A step in a path from the entry root: an array index, an object key, or the i-th value (`m`)
 * or key (`k`) of a Map, or the i-th member (`s`) of a Set (both keep their order in msgpack).
 */
export type PathStep =
  number | string | { readonly m: number } | { readonly k: number } | { readonly s: number };

// Exactly the typed-array classes msgpackr's `moreTypes` restores by class. Checked by name and
// tag rather than identity so values from another realm (vm contexts, jest) are recognised.
const TYPED_ARRAYS = new Set([
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
]);
const PLAIN_TAGS = new Set(['[object ArrayBuffer]', '[object Date]', '[object RegExp]']);

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function formatPath(path: readonly PathStep[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (typeof step === 'object') {
      out +=
        'm' in step
          ? `<map value ${step.m}>`
          : 'k' in step
            ? `<map key ${step.k}>`
            : `<set member ${step.s}>`;
    } else if (IDENTIFIER.test(step)) out += out ? `.${step}` : step;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out || '(root)';
}

/**
 * Walks a value the way msgpackr will encode it and throws an {@link UnencodableValueError}
 * for anything that would not come back exactly (msgpackr itself silently writes a function
 * as `undefined` and a class instance as a plain object). Returns the paths of every `-0`,
 * which msgpack stores as the integer 0, so the decoder can restore the sign.
 */
export function checkEncodable(value: unknown, key: string): PathStep[][] {
  const zeros: PathStep[][] = [];
  const path: PathStep[] = [];
  const active = new Set<object>();

  const fail = (type: string, why: string): never => {
    throw new UnencodableValueError(key, formatPath(path), type, why);
  };

  const visit = (v: unknown): void => {
    switch (typeof v) {
      case 'number':
        if (v === 0 && 1 / v < 0) zeros.push([...path]);
        return;
      case 'string':
      case 'boolean':
      case 'bigint':
      case 'undefined':
        return;
      case 'function':
        return fail(`function ${v.name || '(anonymous)'}`, 'has no data to store');
      case 'symbol':
        return fail('symbol', 'has no identity outside this process');
      case 'object':
        if (v === null) return;
        return visitObject(v);
    }
  };

  const visitObject = (v: object): void => {
    if (ArrayBuffer.isView(v)) {
      if (TYPED_ARRAYS.has(v.constructor.name) || Buffer.isBuffer(v)) return;
      return fail(
        `${v.constructor.name} instance`,
        'is a typed-array subclass msgpackr cannot restore',
      );
    }
    if (PLAIN_TAGS.has(Object.prototype.toString.call(v))) return;
    if (active.has(v)) return fail('cycle', 'would recurse forever when encoded');
    active.add(v);
    try {
      if (Array.isArray(v) && v.constructor === Array) return visitArray(v);
      if (v instanceof Map && v.constructor === Map) {
        let i = 0;
        for (const [k, item] of v) {
          path.push({ k: i });
          visit(k);
          path.pop();
          path.push({ m: i++ });
          visit(item);
          path.pop();
        }
        return;
      }
      if (v instanceof Set && v.constructor === Set) {
        let i = 0;
        for (const item of v) {
          path.push({ s: i++ });
          visit(item);
          path.pop();
        }
        return;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) {
        for (const k of Object.keys(v)) {
          path.push(k);
          visit((v as Record<string, unknown>)[k]);
          path.pop();
        }
        return;
      }
      return fail(
        `${v.constructor?.name ?? 'unknown class'} instance`,
        'would come back as a plain object without its class',
      );
    } finally {
      active.delete(v);
    }
  };

  const visitArray = (v: unknown[]): void => {
    const n = v.length;
    for (let i = 0; i < n; i++) {
      const item = v[i];
      if (typeof item === 'number') {
        if (item === 0 && 1 / item < 0) zeros.push([...path, i]);
        continue;
      }
      path.push(i);
      visit(item);
      path.pop();
    }
  };

  visit(value);
  return zeros;
}

/** Puts back the `-0`s that {@link checkEncodable} found, in the decoded value. */
export function restoreNegativeZeros(root: object, zeros: readonly (readonly PathStep[])[]): void {
  for (const zpath of zeros) {
    let parent: unknown = root;
    for (let i = 0; i < zpath.length - 1; i++) parent = child(parent, zpath[i] as PathStep);
    const last = zpath[zpath.length - 1];
    if (last === undefined) continue;
    if (typeof last === 'object') {
      // Map keys and Set members cannot be -0 (both normalise it to 0): only Map values remain.
      if ('m' in last && parent instanceof Map) parent.set(nth(parent.keys(), last.m), -0);
    } else if (parent !== null && typeof parent === 'object') {
      (parent as Record<string | number, unknown>)[last] = -0;
    }
  }
}

function nth(items: IterableIterator<unknown>, n: number): unknown {
  let i = 0;
  for (const item of items) if (i++ === n) return item;
  return undefined;
}

function child(node: unknown, step: PathStep): unknown {
  if (typeof step === 'object') {
    if ('m' in step && node instanceof Map) return nth(node.values(), step.m);
    if ('k' in step && node instanceof Map) return nth(node.keys(), step.k);
    if ('s' in step && node instanceof Set) return nth(node.values(), step.s);
    return undefined;
  }
  return node !== null && typeof node === 'object'
    ? (node as Record<string | number, unknown>)[step]
    : undefined;
}
