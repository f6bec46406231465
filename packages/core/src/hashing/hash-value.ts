// One cohesive algorithm, kept in one file on purpose (~400 lines): canonical hashing of every
// value type hashValue tells apart, with its typed-array and number[] fast paths.
import * as crypto from 'node:crypto';
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
// Every encoding is prefix-free (tags and lengths first), so concatenations cannot collide.
// Changing a tag or an encoding changes every hash, and with it every cache key: do it on purpose.
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
  Hole,
  Error,
  Boxed,
  SharedArrayBuffer,
}

const CHUNK = 64 * 1024;
const SUB_CHUNK = 1024;
/** Elements of a number[] converted per block on the fast path. */
const NUMBER_BLOCK = 8192;
/** Byte views up to this size are copied into the chunk; larger ones are hashed in place. */
const INLINE_BYTES = 256;

type PathPart = string | number;

// One 64 KiB buffer serves every top-level hashValue call: allocating it per call dominated
// the cost of hashing small values. A re-entrant call (a HASH_IDENTITY method hashing) gets its own.
const shared = Buffer.allocUnsafe(CHUNK);
let sharedInUse = false;
function takeShared(): Buffer {
  sharedInUse = true;
  return shared;
}
/** Tag + float64: the whole encoding of a number (same bytes as the Encoder writes). */
const numberBytes = Buffer.alloc(9);
/**
 * Recent number hashes. Numbers are what most pipeline steps pass on, and the same few values
 * (counters, replicate indices, small results) recur across steps and replicates: a hit is a Map
 * lookup instead of a sha256 and its hex encoding (provenance hashes every step's output). The
 * memo holds exactly what the hash would give, so it changes no hash; it is emptied when full.
 */
const numberMemo = new Map<number, string>();
const NUMBER_MEMO_LIMIT = 4096;

/** The sha256 of a number's encoding, without building an Encoder. */
function hashNumber(value: number): string {
  // Map keys merge 0 and -0 (SameValueZero), which hash differently: -0 is never memoised.
  const memoise = value !== 0 || 1 / value > 0;
  if (memoise) {
    const known = numberMemo.get(value);
    if (known !== undefined) return known;
  }
  numberBytes[0] = Tag.Number;
  numberBytes.writeDoubleLE(Number.isNaN(value) ? NaN : value, 1);
  const hex = (oneShot as NonNullable<typeof oneShot>)('sha256', numberBytes, 'hex');
  if (memoise) {
    if (numberMemo.size >= NUMBER_MEMO_LIMIT) numberMemo.clear();
    numberMemo.set(value, hex);
  }
  return hex;
}
// crypto.hash (Node >= 20.12) hashes a buffer in one call, without a Hash object.
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'hex') => string }).hash;

/** Buffers small writes so the hash sees a few large updates instead of millions of tiny ones. */
class Encoder {
  #hash: Hash | undefined;
  readonly buf: Buffer;
  pos = 0;
  numbers: Float64Array | undefined;

  constructor(
    size: number,
    /** Objects on the current path (not every object seen): shared references are fine. */
    readonly active: Set<object>,
    readonly path: PathPart[],
  ) {
    this.buf = size === CHUNK && !sharedInUse ? takeShared() : Buffer.allocUnsafe(size);
  }

  /** The streaming hash, created at the first flush: most values fit the buffer and never need one. */
  get hash(): Hash {
    return (this.#hash ??= createHash('sha256'));
  }

  /** Hex sha256 of everything written; one-shot when nothing was flushed (3x faster for small values). */
  digest(): string {
    if (this.#hash === undefined && oneShot)
      return oneShot('sha256', this.buf.subarray(0, this.pos), 'hex');
    this.flush();
    return this.hash.digest('hex');
  }

  /** Hands the shared buffer back (hashValue calls this when done). */
  release(): void {
    if (this.buf === shared) sharedInUse = false;
  }

  room(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
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

  /** Lengths may exceed 2^32 (byte lengths of big buffers): written as exact doubles. */
  len(n: number): void {
    this.f64(n);
  }

  str(s: string): void {
    // Lone surrogates would all become U+FFFD in UTF-8, so such strings are hashed as UTF-16.
    const utf16 = !isWellFormed(s);
    const len = utf16 ? s.length * 2 : Buffer.byteLength(s, 'utf8');
    this.room(1);
    this.buf[this.pos++] = utf16 ? 1 : 0;
    this.len(len);
    if (len > this.buf.length) {
      this.flush();
      this.hash.update(s, utf16 ? 'utf16le' : 'utf8');
      return;
    }
    this.room(len);
    this.pos += this.buf.write(s, this.pos, utf16 ? 'utf16le' : 'utf8');
  }

  bytes(view: ArrayBufferView | ArrayBufferLike): void {
    const bytes = ArrayBuffer.isView(view)
      ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
      : new Uint8Array(view);
    this.len(bytes.byteLength);
    if (bytes.byteLength <= INLINE_BYTES) {
      this.room(bytes.byteLength);
      this.buf.set(bytes, this.pos);
      this.pos += bytes.byteLength;
      return;
    }
    this.flush();
    this.hash.update(bytes); // large buffers are hashed in place, never copied
  }

  /** number[] fast path: 8 bytes per element, converted a block at a time. */
  numberArray(values: readonly number[]): void {
    this.len(values.length);
    this.flush();
    const block = (this.numbers ??= new Float64Array(NUMBER_BLOCK));
    const bytes = new Uint8Array(block.buffer);
    const n = values.length;
    for (let start = 0; start < n; start += NUMBER_BLOCK) {
      const end = Math.min(n, start + NUMBER_BLOCK);
      for (let i = start; i < end; i++) {
        const x = values[i] as number;
        block[i - start] = x === x ? x : NaN;
      }
      this.hash.update(bytes.subarray(0, (end - start) * 8));
    }
  }

  where(): string {
    return formatPath(this.path);
  }

  fail(what: string, fix: string): never {
    throw new CacheError(`Cannot hash ${what} at ${this.where()}: ${fix}`);
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function formatPath(path: readonly PathPart[]): string {
  return path
    .map((p, i) =>
      i === 0 || (typeof p === 'string' && p.startsWith('<'))
        ? String(p)
        : typeof p === 'number'
          ? `[${p}]`
          : IDENTIFIER.test(p)
            ? `.${p}`
            : `[${JSON.stringify(p)}]`,
    )
    .join('');
}

function isWellFormed(s: string): boolean {
  // String.prototype.isWellFormed exists on Node 20 but not in the ES2023 lib typings.
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (typeof key === 'number' || typeof key === 'boolean' || key == null) return String(key);
  if (typeof key === 'bigint') return `${key}n`;
  return typeof key === 'object' ? (key.constructor?.name ?? 'object') : typeof key;
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
      return e.fail(
        `a symbol (${value.toString()})`,
        'symbols have no value that survives the process; use a string instead.',
      );
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
  if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) {
    e.tag(Tag.SharedArrayBuffer);
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
  if (
    value instanceof Number ||
    value instanceof String ||
    value instanceof Boolean ||
    value instanceof BigInt
  ) {
    e.tag(Tag.Boxed);
    return encode(e, value.valueOf());
  }
  if (
    value instanceof Promise ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof WeakRef
  ) {
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
    encodeContainer(e, value);
  } finally {
    e.active.delete(value);
  }
}

function encodeContainer(e: Encoder, value: object): void {
  if (typeof (value as Partial<HashIdentity>)[HASH_IDENTITY] === 'function') {
    e.tag(Tag.Identity);
    return encode(e, (value as HashIdentity)[HASH_IDENTITY]());
  }
  if (Array.isArray(value)) return encodeArray(e, value);
  if (value instanceof Map) {
    e.tag(Tag.Map);
    const entries: [string, unknown, unknown][] = [];
    for (const [k, v] of value) entries.push([`<map key ${describeKey(k)}>`, k, v]);
    return encodeUnordered(e, entries);
  }
  if (value instanceof Set) {
    e.tag(Tag.Set);
    const members: [string, unknown][] = [];
    for (const v of value) members.push([`<set member ${describeKey(v)}>`, v]);
    return encodeUnordered(e, members);
  }
  if (value instanceof Error) {
    // message and name are not enumerable: without them every Error would hash alike.
    e.tag(Tag.Error);
    e.str(value.name);
    e.str(value.message);
  } else if (isPlain(value)) {
    e.tag(Tag.Object);
  } else {
    e.tag(Tag.Instance);
    e.str(value.constructor?.name ?? 'Object');
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      // Built-ins such as URL keep their state out of enumerable keys; toJSON says what they are.
      e.path.push('<toJSON()>');
      encode(e, toJSON.call(value));
      e.path.pop();
      return;
    }
  }
  const keys = Object.keys(value).sort();
  e.len(keys.length);
  for (const key of keys) {
    e.str(key);
    e.path.push(key);
    encode(e, (value as Record<string, unknown>)[key]);
    e.path.pop();
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
    e.tag(Tag.NumberArray);
    return e.numberArray(value as number[]);
  }
  e.tag(Tag.Array);
  e.len(n);
  for (let i = 0; i < n; i++) {
    if (!(i in value)) {
      e.tag(Tag.Hole); // [ , 1] and [undefined, 1] are different arrays
      continue;
    }
    e.path.push(i);
    encode(e, value[i]);
    e.path.pop();
  }
}

/**
 * Maps and Sets hash the same whatever their insertion order: each entry is hashed on its own,
 * and the sorted entry digests are hashed in order.
 */
function encodeUnordered(e: Encoder, entries: readonly (readonly [string, ...unknown[]])[]): void {
  const digests: string[] = [];
  for (const [label, ...parts] of entries) {
    const sub = new Encoder(SUB_CHUNK, e.active, [...e.path, label]);
    for (const part of parts) encode(sub, part);
    digests.push(sub.digest());
  }
  digests.sort();
  e.len(digests.length);
  for (const d of digests) e.str(d);
}

/**
 * A canonical sha256 (hex) of a value. Equal values hash equal whatever their object key,
 * Map or Set order; values JSON would conflate (`undefined` vs a missing key, `-0`, `NaN`, `1`
 * vs `'1'`, a typed array vs a plain array, a Map vs an object, a hole vs `undefined`) hash
 * differently. Typed arrays are hashed from their bytes in place (platform byte order; every
 * supported platform is little-endian). Class instances hash as their class name plus their
 * own enumerable fields (or their `toJSON()` when they have one); give a class a
 * `[HASH_IDENTITY]()` method to say what identifies it.
 *
 * @throws CacheError naming the path of a function, symbol, promise or cycle.
 * @example hashValue({ b: 1, a: [1, 2] }) === hashValue({ a: [1, 2], b: 1 }) // true
 */
export function hashValue(value: unknown): string {
  if (typeof value === 'number' && oneShot) return hashNumber(value);
  const e = new Encoder(CHUNK, new Set(), ['$']);
  try {
    encode(e, value);
    return e.digest();
  } finally {
    e.release();
  }
}
