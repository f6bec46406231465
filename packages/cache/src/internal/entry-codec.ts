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
  output: unknown;
  metrics: CacheEntry['metrics'];
  artifacts: CacheEntry['artifacts'];
  context?: CacheEntry['context'];
  outputHash?: string;
  /** Paths of -0 values, which msgpack would otherwise store as the integer 0. */
  negativeZeros?: PathStep[][];
}

/** Encodes an entry to msgpack; throws UnencodableValueError (naming `key`) first if it cannot. */
export function encodeEntry(entry: CacheEntry, key: string): Buffer {
  const body: Payload = {
    output: entry.output,
    metrics: entry.metrics,
    artifacts: entry.artifacts,
  };
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
    !('output' in decoded) ||
    !Array.isArray((decoded as Payload).metrics) ||
    !Array.isArray((decoded as Payload).artifacts)
  ) {
    throw new TypeError('the payload is not a cache entry');
  }
  const { output, metrics, artifacts, context, outputHash, negativeZeros } = decoded as Payload;
  const entry: Payload = { output, metrics, artifacts };
  if (context) entry.context = context;
  if (typeof outputHash === 'string') entry.outputHash = outputHash;
  if (negativeZeros) restoreNegativeZeros(entry, negativeZeros);
  return entry as CacheEntry<T>;
}
