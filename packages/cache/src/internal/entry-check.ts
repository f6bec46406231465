import { CacheError } from '@crystallize/core';

/*
 * What `CacheStore.set` accepts: a CacheEntry and nothing else. Anything else, encoded, would make a
 * file that every later read reports as a miss (or would silently drop a field).
 */

const ENTRY_FIELDS = new Set(['output', 'metrics', 'artifacts', 'context', 'outputHash']);

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') {
    return isRecord(v) ? 'an object' : `a ${v.constructor?.name ?? 'class'} instance`;
  }
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `the ${typeof v} ${String(v)}`;
}

/** A plain object (an entry, a metric record, a context): not an array, Map or class instance. */
function isRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  // Object.prototype of any realm (a vm context, say) is the one prototype whose own is null.
  const proto: object | null = Object.getPrototypeOf(v) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Refuses what is not a {@link CacheEntry}: encoded, it would make a file that every later read
 * reports as a miss (or silently drops a field), so the caller's mistake would pass unseen.
 */
export function checkEntry(entry: unknown, key: string): void {
  const refuse = (what: string): never => {
    throw new CacheError(
      `Cannot cache entry ${key}: ${what}. CacheStore.set takes a CacheEntry ` +
        '{ output, metrics: [{ name, value, tags? }], artifacts: [{ name, data, step? }], context?, outputHash? } ' +
        '— wrap the value as { output: value, metrics: [], artifacts: [] }.',
    );
  };
  if (!isRecord(entry)) return refuse(`the entry is ${describeValue(entry)}, not an object`);
  if (!Object.prototype.hasOwnProperty.call(entry, 'output')) {
    return refuse("the entry has no 'output' field");
  }
  const unknown = Object.keys(entry).filter((k) => !ENTRY_FIELDS.has(k));
  if (unknown.length > 0) {
    return refuse(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`,
    );
  }
  for (const field of ['metrics', 'artifacts'] as const) {
    const list = entry[field];
    if (!Array.isArray(list)) return refuse(`'${field}' is ${describeValue(list)}, not an array`);
    list.forEach((item: unknown, i) => {
      if (!isRecord(item)) return refuse(`${field}[${i}] is ${describeValue(item)}, not an object`);
      if (typeof item['name'] !== 'string') return refuse(`${field}[${i}] has no string 'name'`);
      const valueField = field === 'metrics' ? 'value' : 'data';
      if (!Object.prototype.hasOwnProperty.call(item, valueField)) {
        refuse(`${field}[${i}] ('${String(item['name'])}') has no '${valueField}'`);
      }
      if (field === 'metrics' && item['tags'] !== undefined && !isRecord(item['tags'])) {
        refuse(`metrics[${i}].tags is ${describeValue(item['tags'])}, not an object`);
      }
      if (field === 'artifacts' && item['step'] !== undefined && typeof item['step'] !== 'string') {
        refuse(`artifacts[${i}].step is ${describeValue(item['step'])}, not a string`);
      }
    });
  }
  if (entry['context'] !== undefined && !isRecord(entry['context'])) {
    refuse(`'context' is ${describeValue(entry['context'])}, not an object`);
  }
  if (entry['outputHash'] !== undefined && typeof entry['outputHash'] !== 'string') {
    refuse(`'outputHash' is ${describeValue(entry['outputHash'])}, not a string`);
  }
}
