/**
 * JSON for stored results that keeps every value JSON itself would change: plain `JSON.stringify`
 * writes `NaN` and `±Infinity` as `null`, `-0` as `0` and throws on a `bigint`, so a resumed
 * condition (or `Result.fromJSON`) would silently get other numbers than the run recorded.
 * Such values are written as a tagged object `{ "$cz": "NaN" }`, `{ "$cz": "bigint", "v": "12" }`;
 * an object of the user's that happens to have a `$cz` key is wrapped so it reads back as itself.
 */
const TAG = '$cz';

function tagged(kind: string, v?: unknown): Record<string, unknown> {
  return v === undefined ? { [TAG]: kind } : { [TAG]: kind, v };
}

function encodeNumber(n: number): unknown {
  if (Number.isNaN(n)) return tagged('NaN');
  if (n === Infinity) return tagged('Infinity');
  if (n === -Infinity) return tagged('-Infinity');
  if (Object.is(n, -0)) return tagged('-0');
  return n;
}

/** `value` with every number JSON cannot keep (and every bigint) replaced by its tagged form. */
export function encodeStored(value: unknown): unknown {
  if (typeof value === 'number') return encodeNumber(value);
  if (typeof value === 'bigint') return tagged('bigint', value.toString());
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    // Most stored arrays are plain finite numbers: copy only when something must change.
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const e = encodeStored(v);
      if (e !== v && out === undefined) out = value.slice(0, i);
      if (out) out.push(e);
    }
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value; // Dates, Buffers: their toJSON
  // Like arrays: copy only when a value must change (metrics and records rarely need it).
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    const v = obj[k];
    const e = encodeStored(v);
    if (e !== v && out === undefined) {
      out = {};
      for (const done in obj) {
        if (done === k) break;
        if (Object.prototype.hasOwnProperty.call(obj, done)) out[done] = obj[done];
      }
    }
    if (out) out[k] = e;
  }
  const result = out ?? obj;
  return TAG in result ? tagged('object', result) : result;
}

/** The inverse of {@link encodeStored} (also applied to whatever `JSON.parse` gave). */
export function decodeStored(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const d = decodeStored(v);
      if (d !== v && out === undefined) out = value.slice(0, i);
      if (out) out.push(d);
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  const kind = obj[TAG];
  if (typeof kind === 'string') {
    switch (kind) {
      case 'NaN':
        return NaN;
      case 'Infinity':
        return Infinity;
      case '-Infinity':
        return -Infinity;
      case '-0':
        return -0;
      case 'bigint':
        return BigInt(obj['v'] as string);
      case 'object': {
        const inner = obj['v'] as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(inner)) out[k] = decodeStored(v);
        return out;
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decodeStored(v);
  return out;
}

/** `JSON.stringify` for stored results: NaN, ±Infinity, -0 and bigints read back as written. */
export function toStoredJson(value: unknown, space?: number): string {
  return JSON.stringify(encodeStored(value), null, space);
}

/** `JSON.parse` of {@link toStoredJson}'s output (plain JSON reads as plain JSON). */
export function fromStoredJson<T = unknown>(text: string): T {
  return decodeStored(JSON.parse(text)) as T;
}
