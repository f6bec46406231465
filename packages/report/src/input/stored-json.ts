/*
 * Reads the orchestrator's stored JSON (`toStoredJson`): values plain JSON cannot keep are
 * tagged — `{ "$cz": "NaN" }`, `{ "$cz": "Infinity" }`, `{ "$cz": "-0" }`,
 * `{ "$cz": "bigint", "v": "12" }`, and `{ "$cz": "object", "v": {...} }` for a user object
 * with a `$cz` key. This mirrors the orchestrator's `decodeStored`, which its package does not
 * export; when this reader moves into the orchestrator's run-layout module it uses that instead.
 */
const TAG = '$cz';

export function decodeStoredJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const d = decodeStoredJson(v);
      if (d !== v && out === undefined) out = value.slice(0, i);
      if (out) out.push(d);
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  switch (obj[TAG]) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    case 'bigint':
      return BigInt(String(obj['v']));
    case 'object':
      return decodeEntries(obj['v'] as Record<string, unknown>);
  }
  return decodeEntries(obj);
}

function decodeEntries(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj ?? {})) out[k] = decodeStoredJson(v);
  return out;
}
