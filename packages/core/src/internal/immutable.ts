import { ContextMutationError } from '../errors.js';

/*
 * Values stored in a context are copied on the way in and frozen, so neither the caller who
 * passed an object nor a step that read it can change what other steps see.
 *
 * - plain objects and arrays: deep-copied and Object.freeze'd;
 * - Map / Set: copied into FrozenMap / FrozenSet, whose mutators throw;
 * - Date and typed arrays cannot be frozen, so they are copied again on every read;
 * - functions (resource factories) and class instances are kept by reference: copying a
 *   database client or a model would break it. Only plain data is protected.
 */

function readOnly(what: string): never {
  throw new ContextMutationError(
    `Cannot modify a ${what} stored in a FrozenContext; copy it first.`,
  );
}

export class FrozenMap<K, V> extends Map<K, V> {
  #sealed = false;
  constructor(entries?: Iterable<readonly [K, V]>) {
    super(entries);
    this.#sealed = true;
  }
  override set(key: K, value: V): this {
    if (this.#sealed) readOnly('Map');
    return super.set(key, value);
  }
  override delete(): boolean {
    return readOnly('Map');
  }
  override clear(): void {
    readOnly('Map');
  }
}

export class FrozenSet<T> extends Set<T> {
  #sealed = false;
  constructor(values?: Iterable<T>) {
    super(values);
    this.#sealed = true;
  }
  override add(value: T): this {
    if (this.#sealed) readOnly('Set');
    return super.add(value);
  }
  override delete(): boolean {
    return readOnly('Set');
  }
  override clear(): void {
    readOnly('Set');
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Deep-copies plain data and freezes it. Returns the value to store. */
export function freezeCopy<T>(value: T): T {
  return copy(value, new Map()) as T;
}

function copy(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (ArrayBuffer.isView(value)) {
    return value instanceof DataView
      ? new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength))
      : (value as unknown as { slice(): unknown }).slice();
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof FrozenMap || value instanceof FrozenSet) return value;
  if (value instanceof Map) {
    const out = new FrozenMap([...value].map(([k, v]) => [copy(k, seen), copy(v, seen)] as const));
    seen.set(value, out);
    return out;
  }
  if (value instanceof Set) {
    const out = new FrozenSet([...value].map((v) => copy(v, seen)));
    seen.set(value, out);
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(copy(item, seen));
    return Object.freeze(out);
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value) as object | null);
  seen.set(value, out);
  for (const key of Object.keys(value))
    out[key] = copy((value as Record<string, unknown>)[key], seen);
  return Object.freeze(out);
}

/**
 * What a read hands out. Frozen values are returned as they are; values that cannot be frozen
 * (Date, typed arrays) are copied so the stored one stays intact.
 */
export function readCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return (value as unknown as { slice(): T }).slice();
  }
  return value;
}
