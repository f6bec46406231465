/**
 * @crystallize/cache — memoises step outputs: canonical hashing of values and code, and a
 * checksummed, msgpackr-encoded store on disk that the orchestrator reads and writes.
 */
export { hashValue, HASH_IDENTITY, type HashIdentity, codeFingerprint } from '@crystallize/core';
export type { CacheEntry, CachedMetric } from './cache-entry.js';
export { CacheWriteError, UnencodableValueError } from './cache-errors.js';
export {
  CacheStore,
  ENTRY_EXTENSION,
  type CacheLogger,
  type CacheSetOptions,
  type CacheStats,
  type CacheStoreOptions,
  type CacheWriteErrorPolicy,
  type OnUnencodable,
  type OnUnencodableOption,
} from './cache-store.js';
