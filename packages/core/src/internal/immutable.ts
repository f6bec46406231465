import { ContextMutationError } from '../errors.js';

/*
 * Values stored in a context are copied on the way in and frozen, so neither the caller who
 * passed an object nor a step that read it can change what other steps see.
 *
 * - plain objects and arrays: deep-copied and Object.freeze'd;
 * - Map / Set: copied into FrozenMap / FrozenSet, whose mutators throw;
 * - Date and typed arrays cannot be frozen, so they are copied again on every read — and so is
 *   any stored structure that holds one anywhere inside (a frozen object cannot hand out a
 *   fresh Date, so the whole structure is copied);
 * - functions (resource factories) and class instances are kept by reference: copying a
 *   database client or a model would break it. Only plain data is protected.
 */

function readOnly(what: string): never {
  throw new ContextMutationError(
    `Cannot modify a ${what} stored in a FrozenContext; copy it first.`,
  );
}

// Mutators throw; the entries are written once through Map.prototype in the constructor.
// (A #private "sealed" flag cannot work here: Map's constructor calls `this.set` before
// subclass fields exist.)
export class FrozenMap<K, V> extends Map<K, V> {
  constructor(entries?: Iterable<readonly [K, V]>) {
    super();
    for (const [k, v] of entries ?? []) super.set(k, v);
    Object.freeze(this);
  }
  override set(): this {
    return readOnly('Map');
  }
  override delete(): boolean {
    return readOnly('Map');
  }
  override clear(): void {
    readOnly('Map');
  }
}

export class FrozenSet<T> extends Set<T> {
  constructor(values?: Iterable<T>) {
    super();
    for (const v of values ?? []) super.add(v);
    Object.freeze(this);
  }
  override add(): this {
    return readOnly('Set');
  }
  override delete(): boolean {
    return readOnly('Set');
  }
  override clear(): void {
    readOnly('Set');
  }
}

// %TypedArray%.prototype.slice always copies (Buffer#slice would share memory).
const typedArraySlice = (Object.getPrototypeOf(Uint8Array.prototype) as { slice: () => unknown })
  .slice;

/** Stored values that hold a Date or typed array somewhere inside: copied again on each read. */
const holdsUnfreezable = new WeakSet<object>();

interface CopyState {
  unfreezable: boolean;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Deep-copies plain data and freezes it. Returns the value to store. */
export function freezeCopy<T>(value: T): T {
  const state: CopyState = { unfreezable: false };
  const out = copy(value, new Map(), state);
  if (state.unfreezable && typeof out === 'object' && out !== null) holdsUnfreezable.add(out);
  return out as T;
}

function copy(value: unknown, seen: Map<object, unknown>, state: CopyState): unknown {
  if (value === null || typeof value !== 'object') return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (ArrayBuffer.isView(value)) {
    state.unfreezable = true;
    return value instanceof DataView
      ? new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength))
      : typedArraySlice.call(value);
  }
  if (value instanceof Date) {
    state.unfreezable = true;
    return new Date(value.getTime());
  }
  if (value instanceof Map) {
    const out = new FrozenMap<unknown, unknown>();
    seen.set(value, out);
    const entries = [...value].map(([k, v]) => [copy(k, seen, state), copy(v, seen, state)]);
    return refill(out, entries);
  }
  if (value instanceof Set) {
    const out = new FrozenSet<unknown>();
    seen.set(value, out);
    return refill(
      out,
      [...value].map((v) => copy(v, seen, state)),
    );
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(copy(item, seen, state));
    return Object.freeze(out);
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value) as object | null);
  seen.set(value, out);
  for (const key of Object.keys(value))
    out[key] = copy((value as Record<string, unknown>)[key], seen, state);
  return Object.freeze(out);
}

/*
 * A Map or Set that contains itself must exist before its entries are copied, but a FrozenMap
 * is sealed at construction. So the frozen shell is created first (and registered in `seen`),
 * and filled here through the base-class methods once its entries are ready.
 */
function refill(out: FrozenMap<unknown, unknown> | FrozenSet<unknown>, items: unknown[]): unknown {
  if (out instanceof FrozenMap) {
    for (const [k, v] of items as [unknown, unknown][]) Map.prototype.set.call(out, k, v);
  } else {
    for (const v of items) Set.prototype.add.call(out, v);
  }
  return out;
}

/**
 * What a read hands out. Frozen values are returned as they are; values that cannot be frozen
 * (Date, typed arrays), and structures holding one, are copied so the stored one stays intact.
 */
export function readCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date || ArrayBuffer.isView(value) || holdsUnfreezable.has(value)) {
    return freezeCopy(value);
  }
  return value;
}
