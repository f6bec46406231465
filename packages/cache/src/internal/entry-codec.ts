import { Packr } from 'msgpackr';
import type { CacheEntry } from '../cache-entry.js';
import { withTypedArrayViews } from './realm-typed-arrays.js';
import { checkEncodable, restoreNegativeZeros, type PathStep } from './encodable.js';

// Records (msgpackr's default) keep plain objects and Maps apart; `moreTypes` restores typed
// arrays by class, Sets, RegExps and Errors; the bigint extension takes integers past 64 bits.
// structuredClone would also keep shared references, but decodes a 1M number[] ~4x slower.
const packr = new Packr({
  moreTypes: true,
  useBigIntExtension: true,
  writeFunction: () => {
    throw new TypeError('a function reached msgpackr'); // checkEncodable stops these first
  },
});

interface Payload {
  output?: unknown;
  /**
   * A dense `number[]` output, stored as its float64 bytes (8 bytes per element, one copy to
   * decode) instead of one msgpack number per element. Such an entry has no `output` key, so a
   * build that predates this field reads it as undecodable (a miss), never as a Float64Array.
   */
  outputNumbers?: Float64Array;
  metrics: CacheEntry['metrics'];
  artifacts: CacheEntry['artifacts'];
  context?: CacheEntry['context'];
  outputHash?: string;
  /** Paths of -0 values, which msgpack would otherwise store as the integer 0. */
  negativeZeros?: PathStep[][];
}

/** Below this length a number[] is left to msgpack: the float64 detour only pays off for big arrays. */
const NUMBER_ARRAY_MIN = 64;

/** The float64 copy of a dense array of numbers, or undefined for anything else. */
function asNumbers(value: unknown): Float64Array | undefined {
  if (!Array.isArray(value) || value.length < NUMBER_ARRAY_MIN) return undefined;
  const n = value.length;
  for (let i = 0; i < n; i++) if (typeof value[i] !== 'number') return undefined; // holes too
  // Float64Array keeps every number exactly, -0 included (msgpack would store it as 0).
  return Float64Array.from(value as number[]);
}

/** A number[] from float64 bytes: preallocated and filled, 5-10x faster than push or Array.from. */
function fromNumbers(values: Float64Array): number[] {
  const n = values.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = values[i] as number;
  return out;
}

/** By tag, not instanceof: msgpackr may build it in another realm (jest's vm contexts). */
function isFloat64Array(value: unknown): value is Float64Array {
  return Object.prototype.toString.call(value) === '[object Float64Array]';
}

/** An encoded entry and where its output's elements sit (see {@link encodeEntry}). */
export interface EncodedEntry {
  readonly payload: Buffer;
  /**
   * 0, or 1 + (the offset in `payload` of the output's typed-array elements, modulo 8) when the
   * payload ends with them: a reader that places the payload accordingly gets them aligned and
   * can hand them out without a copy. A hint only: a wrong one costs a copy, never a wrong value.
   */
  readonly alignment: number;
}

/** Encodes an entry to msgpack; throws UnencodableValueError (naming `key`) first if it cannot. */
export function encodeEntry(entry: CacheEntry, key: string): EncodedEntry {
  const numbers = asNumbers(entry.output);
  // The output goes last: a typed array's elements then end the payload, so their offset is
  // known without searching.
  const body: Payload = { metrics: entry.metrics, artifacts: entry.artifacts };
  if (entry.context && Object.keys(entry.context).length > 0) body.context = entry.context;
  if (typeof entry.outputHash === 'string') body.outputHash = entry.outputHash;
  if (numbers) body.outputNumbers = numbers;
  else body.output = entry.output;
  const zeros = checkEncodable(body, key);
  const payload: Buffer = packr.pack(
    zeros.length > 0 ? { ...withoutOutput(body), negativeZeros: zeros, ...outputOf(body) } : body,
  );
  const tail = numbers ?? entry.output;
  let alignment = 0;
  if (
    ArrayBuffer.isView(tail) &&
    Object.prototype.toString.call(tail) !== '[object DataView]' &&
    tail.byteLength > 0
  ) {
    const at = payload.byteLength - tail.byteLength;
    const bytes = new Uint8Array(tail.buffer, tail.byteOffset, tail.byteLength);
    // msgpackr's typed-array extension ends with the elements; checked on the last bytes.
    if (at > 0 && payload.subarray(payload.byteLength - 8).equals(bytes.subarray(-8)))
      alignment = 1 + (at % 8);
  }
  return { payload, alignment };
}

function withoutOutput(body: Payload): Payload {
  const { output: _output, outputNumbers: _numbers, ...rest } = body;
  return rest;
}

function outputOf(body: Payload): Partial<Payload> {
  return 'outputNumbers' in body ? { outputNumbers: body.outputNumbers } : { output: body.output };
}

/**
 * Decodes a verified payload; throws when it is not an entry this build wrote. With `views`, a
 * big typed-array output whose elements are aligned in `payload`'s buffer is a view into it
 * (no copy): only for a buffer that nothing else uses or reuses.
 */
export function decodeEntry<T>(payload: Buffer, options: { views?: boolean } = {}): CacheEntry<T> {
  const decoded: unknown = options.views
    ? withTypedArrayViews(() => packr.unpack(payload) as unknown)
    : packr.unpack(payload);
  if (
    decoded === null ||
    typeof decoded !== 'object' ||
    !('output' in decoded || isFloat64Array((decoded as Payload).outputNumbers)) ||
    !Array.isArray((decoded as Payload).metrics) ||
    !Array.isArray((decoded as Payload).artifacts)
  ) {
    throw new TypeError('the payload is not a cache entry');
  }
  const { metrics, artifacts, context, outputHash, negativeZeros, outputNumbers } =
    decoded as Payload;
  const output = outputNumbers ? fromNumbers(outputNumbers) : (decoded as Payload).output;
  const entry: Payload = { output, metrics, artifacts };
  if (context) entry.context = context;
  if (typeof outputHash === 'string') entry.outputHash = outputHash;
  if (negativeZeros) restoreNegativeZeros(entry, negativeZeros);
  return entry as CacheEntry<T>;
}
