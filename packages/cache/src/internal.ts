/**
 * @crystallize/cache/internal — helpers other Crystallize packages share with the cache. Not a
 * public API: it may change in any release.
 */
export {
  ABANDONED_TEMP_MS,
  TEMP_SUFFIX,
  isStaleTemp,
  isTempName,
  removeStaleTemps,
  writeFileAtomic,
  writeFileAtomicSync,
} from './internal/atomic-write.js';
export { FORMAT_VERSION, HEADER_SIZE, type CorruptionReason } from './internal/entry-format.js';
export { normalizeOnUnencodable } from './cache-store.js';
