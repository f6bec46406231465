import { Packr } from 'msgpackr';
import type { CacheEntry } from '../cache-entry.js';
import './realm-typed-arrays.js';
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

/** Encodes an entry to msgpack; throws UnencodableValueError (naming `key`) first if it cannot. */
export function encodeEntry(entry: CacheEntry, key: string): Buffer {
  const numbers = asNumbers(entry.output);
  const body: Payload = numbers
    ? { outputNumbers: numbers, metrics: entry.metrics, artifacts: entry.artifacts }
    : { output: entry.output, metrics: entry.metrics, artifacts: entry.artifacts };
  if (entry.context && Object.keys(entry.context).length > 0) body.context = entry.context;
  if (typeof entry.outputHash === 'string') body.outputHash = entry.outputHash;
  const zeros = checkEncodable(body, key);
  const payload: Payload = zeros.length > 0 ? { ...body, negativeZeros: zeros } : body;
  return packr.pack(payload);
}

/** Decodes a verified payload; throws when it is not an entry this build wrote. */
export function decodeEntry<T>(payload: Buffer): CacheEntry<T> {
  const decoded: unknown = packr.unpack(payload);
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
