import { createHash, type Hash } from 'node:crypto';
import { CacheError } from '../errors.js';

/**
 * An object may implement this method to say what identifies it for hashing (an open file
 * handle, a model wrapper, an Artifact). The returned value is hashed in its place.
 */
export const HASH_IDENTITY = Symbol.for('crystallize.hashIdentity');

export interface HashIdentity {
  [HASH_IDENTITY](): unknown;
}

// One tag byte in front of every encoded value keeps values of different types apart even when
// their bytes agree (1 vs '1', Float64Array vs number[], Map vs object, undefined vs missing).
const enum Tag {
  Undefined = 0,
  Null,
  False,
  True,
  Number,
  String,
  BigInt,
  Date,
  RegExp,
  Array,
  NumberArray,
  TypedArray,
  ArrayBuffer,
  Object,
  Instance,
  Map,
  Set,
  Identity,
  Symbol,
}

const CHUNK = 64 * 1024;

/** Buffers small writes so the hash sees a few large updates instead of millions of tiny ones. */
class Encoder {
  readonly hash: Hash = createHash('sha256');
  readonly buf = Buffer.allocUnsafe(CHUNK);
  pos = 0;
  readonly path: (string | number)[] = ['$'];
  readonly active = new Set<object>();

  room(n: number): void {
    if (this.pos + n > CHUNK) this.flush();
  }

  flush(): void {
    if (this.pos > 0) this.hash.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  tag(t: Tag): void {
    this.room(1);
    this.buf[this.pos++] = t;
  }

  u32(n: number): void {
    this.room(4);
    this.buf.writeUInt32LE(n >>> 0, this.pos);
    this.pos += 4;
  }

  f64(n: number): void {
    this.room(8);
    // All NaNs hash alike; -0 keeps its sign bit and so differs from 0.
    this.buf.writeDoubleLE(Number.isNaN(n) ? NaN : n, this.pos);
    this.pos += 8;
  }

  str(s: string): void {
    const len = Buffer.byteLength(s);
    this.u32(len);
    if (len > CHUNK) {
      this.flush();
      this.hash.update(s, 'utf8');
      return;
    }
    this.room(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  bytes(view: ArrayBufferView | ArrayBuffer): void {
    const bytes =
      view instanceof ArrayBuffer
        ? new Uint8Array(view)
        : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    this.u32(bytes.byteLength);
    if (bytes.byteLength <= 256) {
      this.room(bytes.byteLength);
      this.buf.set(bytes, this.pos);
      this.pos += bytes.byteLength;
      return;
    }
    this.flush();
    this.hash.update(bytes); // large buffers are hashed in place, never copied
  }

  where(): string {
    return this.path
      .map((p, i) => (i === 0 ? String(p) : typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('');
  }

  fail(what: string, fix: string): never {
    throw new CacheError(`Cannot hash ${what} at ${this.where()}: ${fix}`);
  }
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function encode(e: Encoder, value: unknown): void {
  switch (typeof value) {
    case 'undefined':
      return e.tag(Tag.Undefined);
    case 'boolean':
      return e.tag(value ? Tag.True : Tag.False);
    case 'number':
      e.tag(Tag.Number);
      return e.f64(value);
    case 'string':
      e.tag(Tag.String);
      return e.str(value);
    case 'bigint':
      e.tag(Tag.BigInt);
      return e.str(value.toString(16));
    case 'symbol':
      if (Symbol.keyFor(value) !== undefined) {
        e.tag(Tag.Symbol);
        return e.str(Symbol.keyFor(value) as string);
      }
      return e.fail('a unique symbol', 'only Symbol.for() symbols have a stable identity.');
    case 'function':
      return e.fail(
        `a function (${value.name || 'anonymous'})`,
        'functions have no stable value; pass data, or give the object a [HASH_IDENTITY]() method.',
      );
    case 'object':
      if (value === null) return e.tag(Tag.Null);
      return encodeObject(e, value);
  }
}

function encodeObject(e: Encoder, value: object): void {
  if (ArrayBuffer.isView(value)) {
    e.tag(Tag.TypedArray);
    e.str(value.constructor.name);
    return e.bytes(value);
  }
  if (value instanceof ArrayBuffer) {
    e.tag(Tag.ArrayBuffer);
    return e.bytes(value);
  }
  if (value instanceof Date) {
    e.tag(Tag.Date);
    return e.f64(value.getTime());
  }
  if (value instanceof RegExp) {
    e.tag(Tag.RegExp);
    e.str(value.source);
    return e.str(value.flags);
  }
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) {
    return e.fail(
      `a ${value.constructor.name}`,
      'its contents cannot be read; hash the resolved data instead.',
    );
  }
  if (e.active.has(value)) {
    return e.fail(
      'a cycle',
      'the value refers back to itself; break the cycle or give it a [HASH_IDENTITY]().',
    );
  }
  e.active.add(value);
  try {
    if (typeof (value as Partial<HashIdentity>)[HASH_IDENTITY] === 'function') {
      e.tag(Tag.Identity);
      return encode(e, (value as HashIdentity)[HASH_IDENTITY]());
    }
    if (Array.isArray(value)) return encodeArray(e, value);
    if (value instanceof Map) {
      e.tag(Tag.Map);
      return encodeUnordered(
        e,
        [...value].map(([k, v]) => [k, v] as const),
        'map entry',
      );
    }
    if (value instanceof Set) {
      e.tag(Tag.Set);
      return encodeUnordered(
        e,
        [...value].map((v) => [v] as const),
        'set member',
      );
    }
    if (!isPlain(value)) {
      e.tag(Tag.Instance);
      e.str(value.constructor?.name ?? 'Object');
    } else {
      e.tag(Tag.Object);
    }
    const keys = Object.keys(value).sort();
    e.u32(keys.length);
    for (const key of keys) {
      e.str(key);
      e.path.push(key);
      encode(e, (value as Record<string, unknown>)[key]);
      e.path.pop();
    }
  } finally {
    e.active.delete(value);
  }
}

function encodeArray(e: Encoder, value: unknown[]): void {
  const n = value.length;
  let numeric = true;
  for (let i = 0; i < n; i++) {
    if (typeof value[i] !== 'number') {
      numeric = false;
      break;
    }
  }
  if (numeric) {
    // Fast path for number[]: 8 bytes per element, no per-element tag or call.
    e.tag(Tag.NumberArray);
    e.u32(n);
    for (let i = 0; i < n; i++) e.f64(value[i] as number);
    return;
  }
  e.tag(Tag.Array);
  e.u32(n);
  for (let i = 0; i < n; i++) {
    e.path.push(i);
    encode(e, i in value ? value[i] : undefined);
    e.path.pop();
  }
}

/** Maps and Sets hash the same whatever their insertion order: entries are hashed, then sorted. */
function encodeUnordered(e: Encoder, entries: (readonly unknown[])[], what: string): void {
  const digests = entries.map((parts, i) => {
    const sub = new Encoder();
    sub.path.splice(0, 1, `${e.where()}<${what} ${i}>`);
    for (const part of parts) encode(sub, part);
    sub.flush();
    return sub.hash.digest('hex');
  });
  digests.sort();
  e.u32(digests.length);
  for (const d of digests) e.str(d);
}

/**
 * A canonical sha256 (hex) of a value. Equal values hash equal whatever their object key,
 * Map or Set order; values JSON would conflate (`undefined` vs a missing key, `-0`, `NaN`, `1`
 * vs `'1'`, a typed array vs a plain array, a Map vs an object) hash differently. Typed arrays
 * are hashed from their bytes in place (platform byte order; every supported platform is
 * little-endian).
 *
 * @throws CacheError naming the path of a function, unique symbol, promise or cycle.
 * @example hashValue({ b: 1, a: [1, 2] }) === hashValue({ a: [1, 2], b: 1 }) // true
 */
export function hashValue(value: unknown): string {
  const e = new Encoder();
  encode(e, value);
  e.flush();
  return e.hash.digest('hex');
}
