import { createHash } from 'node:crypto';
import type { ConditionOutcome, ReplicateOutcome } from '../model/outcome.js';
import type { StepRecord } from '../model/step-record.js';
import { decodeDurations } from './provenance-store.js';
import { fromStoredJson, toStoredJson } from './stored-json.js';

/*
 * One cohesive algorithm (kept in one file on purpose): the codec of one run-journal line.
 *
 * The JSON of one run-journal line (see journal.ts for the file): a replicate and, per condition,
 * its fingerprint, seed, metrics, artifacts, error and step records. Records are stored the way
 * `provenance.jsonl` stores them — the condition's step identities once (`steps`: step, cache
 * key, params), an index into them per call (`ids`), the chain of hashes as one hex string (the
 * input hash, then each output hash), cache hits, call times and context changes — so a
 * 10-step, 2-condition replicate costs a few string joins rather than a JSON value per call.
 * Records that do not chain (an input that is not the previous output, a hash that is not 64
 * hex digits) are written as compact arrays instead (`records`).
 *
 * A writer writes a condition's `steps` once (with `stepsId`, 16 hex digits of the SHA-256 of
 * their JSON); its later lines name them by that id (`stepsRef`). A reader resolves a reference
 * from an earlier line of the file; one it cannot resolve (the defining line damaged) makes the
 * line unreadable, so its replicate reruns — never a wrong identity, as the id is a content hash.
 */

/** One condition of a journalled replicate: its outcome and the fingerprint it ran under. */
export interface JournalCondition {
  readonly condition: string;
  readonly fingerprint: string;
  readonly seed: number;
  readonly metrics: ConditionOutcome['metrics'];
  readonly records: ConditionOutcome['records'];
  readonly artifacts: ConditionOutcome['artifacts'];
  readonly error?: { readonly name: string; readonly message: string; readonly stepName?: string };
}

/** One journal line: a replicate and its conditions. */
export interface JournalEntry {
  readonly replicate: number;
  readonly conditions: readonly JournalCondition[];
}

const HASH_CHARS = 64;
const NO_CHANGES: StepRecord['ctxChanges'] = Object.freeze({
  reads: Object.freeze([]),
  wrote: Object.freeze({}),
  metrics: Object.freeze([]),
});

/** A number JSON keeps as it is (finite, not -0). */
function plainNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0);
}

/** The last frozen empty object seen (the runner shares one for "wrote nothing"). */
let frozenEmpty: object | undefined;

function isEmpty(o: object): boolean {
  if (o === frozenEmpty) return true;
  for (const _ in o) return false;
  if (Object.isFrozen(o)) frozenEmpty = o;
  return true;
}

/** JSON of short strings that recur on every line (metric and param names). */
const quoted = new Map<string, string>();

function quote(s: string): string {
  let q = quoted.get(s);
  if (q === undefined) {
    q = JSON.stringify(s);
    if (quoted.size >= 4096) quoted.clear();
    quoted.set(s, q);
  }
  return q;
}

/**
 * {@link toStoredJson} with the shapes nearly every replicate has done by hand: a plain seed, no
 * artifacts, metrics that are lists of plain numbers (a generic walk per value cost more than
 * the rest of the line).
 */
function storedJson(value: unknown): string {
  if (plainNumber(value)) return String(value);
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    let out = '{';
    for (const k in value) {
      const col = (value as Record<string, unknown>)[k];
      if (k === '$cz' || !Array.isArray(col)) return toStoredJson(value);
      let list = '[';
      for (let i = 0; i < col.length; i++) {
        const v: unknown = col[i];
        if (!plainNumber(v)) return toStoredJson(value);
        list += i ? `,${v}` : String(v);
      }
      out += `${out.length > 1 ? ',' : ''}${quote(k)}:${list}]`;
    }
    return `${out}}`;
  }
  return toStoredJson(value);
}

/** Params of plain values as JSON by hand; the generic path for anything else. */
function paramsJson(params: Readonly<Record<string, unknown>>): string {
  let out = '{';
  for (const k in params) {
    const v = params[k];
    const json =
      typeof v === 'string'
        ? JSON.stringify(v)
        : plainNumber(v) || typeof v === 'boolean'
          ? String(v)
          : undefined;
    if (json === undefined) return toStoredJson(params);
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${json}`;
  }
  return `${out}}`;
}

/** Context changes as JSON; the common one (number metrics only) by hand. */
function changesJson(c: StepRecord['ctxChanges']): string {
  if (c.reads.length > 0 || !isEmpty(c.wrote)) return toStoredJson(c);
  let metrics = '';
  for (const m of c.metrics) {
    if (!plainNumber(m.value) || m.tags !== undefined) return toStoredJson(c);
    metrics += `${metrics ? ',' : ''}{"name":${quote(m.name)},"value":${m.value}}`;
  }
  return `{"reads":[],"wrote":{},"metrics":[${metrics}]}`;
}

interface IdentityMemo {
  readonly step: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly json: string;
}

/** Step identities' JSON (`[step, cacheKey, params]`) by cache key, checked against step and params. */
const identityJson = new Map<string, IdentityMemo>();
const IDENTITY_MEMO_LIMIT = 4096;

/** Whether two params objects hold the same plain values (objects only when identical). */
function sameParams(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    const v = a[k];
    if (!Object.is(v, b[k]) || (typeof v === 'object' && v !== null)) return false;
    n += 1;
  }
  for (const _ in b) n -= 1;
  return n === 0;
}

/** The JSON of a record's identity; the same string for the same step, cache key and params. */
function identityOf(r: StepRecord): string {
  const memo = identityJson.get(r.cacheKey);
  if (memo !== undefined && memo.step === r.step && sameParams(r.params, memo.params))
    return memo.json;
  const json = `[${JSON.stringify(r.step)},${JSON.stringify(r.cacheKey)},${paramsJson(r.params)}]`;
  if (identityJson.size >= IDENTITY_MEMO_LIMIT) identityJson.clear();
  identityJson.set(r.cacheKey, { step: r.step, params: r.params, json });
  return json;
}

/** What one journal writer has written so far: the ids of the step tables it defined. */
export interface JournalSession {
  readonly defined: Set<string>;
}

interface IdentitiesMemo {
  readonly records: { cacheKey: string; step: string; params: object }[];
  /** `[...]` of the step identities. */
  readonly steps: string;
  /** Content id of `steps`. */
  readonly id: string;
  /** `,"ids":[...]` */
  readonly ids: string;
}

/** The last identities written per condition: every replicate of a condition has the same. */
const lastIdentities = new Map<string, IdentitiesMemo>();
/** Content ids of step tables already computed. */
const stepsIds = new Map<string, string>();

/** Whether `records` have the very same step, cache key and params objects as `last`. */
function sameIdentities(
  records: readonly StepRecord[],
  last: readonly { cacheKey: string; step: string; params: object }[],
): boolean {
  if (records.length !== last.length) return false;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as StepRecord;
    const l = last[i] as { cacheKey: string; step: string; params: object };
    if (r.cacheKey !== l.cacheKey || r.step !== l.step || r.params !== l.params) return false;
  }
  return true;
}

function identitiesOf(condition: string, records: readonly StepRecord[]): IdentitiesMemo {
  const last = lastIdentities.get(condition);
  // The same objects as last time (a serial run's records share them): the same JSON.
  if (last && sameIdentities(records, last.records)) return last;
  const index = new Map<string, number>();
  let steps = '';
  let ids = '';
  for (let i = 0; i < records.length; i++) {
    const identity = identityOf(records[i] as StepRecord);
    let id = index.get(identity);
    if (id === undefined) {
      id = index.size;
      index.set(identity, id);
      steps += `${id ? ',' : ''}${identity}`;
    }
    ids += i ? `,${id}` : String(id);
  }
  steps = `[${steps}]`;
  let id = stepsIds.get(steps);
  if (id === undefined) {
    id = createHash('sha256').update(steps).digest('hex').slice(0, 16);
    if (stepsIds.size >= IDENTITY_MEMO_LIMIT) stepsIds.clear();
    stepsIds.set(steps, id);
  }
  const memo: IdentitiesMemo = {
    records: records.map((r) => ({ cacheKey: r.cacheKey, step: r.step, params: r.params })),
    steps,
    id,
    ids: `,"ids":[${ids}]`,
  };
  if (lastIdentities.size >= IDENTITY_MEMO_LIMIT) lastIdentities.clear();
  lastIdentities.set(condition, memo);
  return memo;
}

/** `"steps":[...],"stepsId":..,"ids":[...]`, or `"stepsRef":..,"ids":[...]` once `session` wrote them. */
function identitiesJson(
  condition: string,
  records: readonly StepRecord[],
  session: JournalSession | undefined,
): string {
  const m = identitiesOf(condition, records);
  if (session?.defined.has(m.id)) return `"stepsRef":"${m.id}"${m.ids}`;
  session?.defined.add(m.id);
  return `"steps":${m.steps},"stepsId":"${m.id}"${m.ids}`;
}

/** Whether records chain (each input is the previous output) with 64-digit hashes. */
function chained(records: readonly StepRecord[]): boolean {
  let prev = records[0]?.inputHash;
  if (prev === undefined || prev.length !== HASH_CHARS) return false;
  for (const r of records) {
    if (r.inputHash !== prev || r.outputHash.length !== HASH_CHARS) return false;
    prev = r.outputHash;
  }
  return true;
}

let scratch = new Float64Array(64);
/** The bytes of `scratch`. */
let scratchBytes = Buffer.from(scratch.buffer);
/** Float64Array stores little-endian bytes on this machine (nearly all are). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([-0]).buffer)[7] === 0x80;

/** Call times as base64 of little-endian float64s (NaN: none), as `provenance.jsonl` has them. */
function durationsBase64(records: readonly StepRecord[]): string | undefined {
  let timed = false;
  for (const r of records) if (r.durationMs !== undefined) timed = true;
  if (!timed) return undefined;
  if (scratch.length < records.length) {
    scratch = new Float64Array(2 * records.length);
    scratchBytes = Buffer.from(scratch.buffer);
  }
  for (let i = 0; i < records.length; i++) {
    const ms = (records[i] as StepRecord).durationMs ?? NaN;
    if (LITTLE_ENDIAN) scratch[i] = ms;
    else scratchBytes.writeDoubleLE(ms, 8 * i);
  }
  return scratchBytes.toString('base64', 0, 8 * records.length);
}

/** A condition's records in the columnar form (see the file's header). */
function columnsJson(
  condition: string,
  records: readonly StepRecord[],
  session: JournalSession | undefined,
): string {
  let hashes = (records[0] as StepRecord).inputHash;
  let hits = '';
  let changes = '';
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as StepRecord;
    hashes += r.outputHash;
    if (r.cacheHit) hits += hits ? `,${i}` : String(i);
    const c = r.ctxChanges;
    if (c.metrics.length > 0 || c.reads.length > 0 || !isEmpty(c.wrote))
      changes += `${changes ? ',' : ''}"${i}":${changesJson(c)}`;
  }
  const durations = durationsBase64(records);
  return (
    `${identitiesJson(condition, records, session)},"hashes":"${hashes}"` +
    (hits ? `,"hits":[${hits}]` : '') +
    (durations ? `,"durations":"${durations}"` : '') +
    (changes ? `,"changes":{${changes}}` : '')
  );
}

/** Records as compact arrays `[step, cacheKey, inputHash, outputHash, hit, rest]`. */
function recordsJson(records: readonly StepRecord[]): string {
  let out = '';
  for (const r of records) {
    const rest = toStoredJson({ params: r.params, ctxChanges: r.ctxChanges });
    out += `${out ? ',' : ''}[${JSON.stringify(r.step)},${JSON.stringify(r.cacheKey)},${JSON.stringify(r.inputHash)},${JSON.stringify(r.outputHash)},${r.cacheHit ? 1 : 0},${rest}]`;
  }
  const durations = durationsBase64(records);
  return `"records":[${out}]${durations ? `,"durations":"${durations}"` : ''}`;
}

/**
 * The JSON of a replicate's journal line (fingerprints by condition). With a `session`, step
 * tables the session already wrote are referenced, not repeated.
 */
export function entryJson(
  outcome: ReplicateOutcome,
  fingerprints: Readonly<Record<string, { readonly hash: string }>>,
  session?: JournalSession,
): string {
  let conditions = '';
  for (const c of outcome.conditions) {
    const error = c.error
      ? `,"error":${toStoredJson({
          name: c.error.name,
          message: c.error.message,
          ...(c.error.stepName !== undefined ? { stepName: c.error.stepName } : {}),
        })}`
      : '';
    const records = chained(c.records)
      ? columnsJson(c.condition, c.records, session)
      : recordsJson(c.records);
    conditions +=
      `${conditions ? ',' : ''}{"condition":${quote(c.condition)}` +
      `,"fingerprint":${quote(fingerprints[c.condition]?.hash ?? '')}` +
      `,"seed":${storedJson(c.seed)},"metrics":${storedJson(c.metrics)},${records}` +
      `,"artifacts":${storedJson(c.artifacts)}${error}}`;
  }
  return `{"replicate":${outcome.replicate},"conditions":[${conditions}]}`;
}

type CompactRecord = [
  string,
  string,
  string | 0,
  string,
  0 | 1,
  { params?: StepRecord['params']; ctxChanges?: StepRecord['ctxChanges'] }?,
];

interface RawCondition extends Omit<JournalCondition, 'records'> {
  readonly steps?: readonly [string, string, StepRecord['params']][];
  readonly stepsId?: string;
  readonly stepsRef?: string;
  readonly ids?: readonly number[];
  readonly hashes?: string;
  readonly hits?: readonly number[];
  readonly changes?: Readonly<Record<string, StepRecord['ctxChanges']>>;
  readonly records?: readonly CompactRecord[];
  readonly durations?: string;
}

function withDuration(record: StepRecord, duration: number | undefined): StepRecord {
  return duration === undefined || Number.isNaN(duration)
    ? record
    : { ...record, durationMs: duration };
}

type Steps = readonly [string, string, StepRecord['params']][];

/** A condition's records from either stored form (`tables`: step tables defined by earlier lines). */
function recordsOf(c: RawCondition, tables: Map<string, Steps>): StepRecord[] {
  const durations = decodeDurations(c.durations);
  if (c.hashes !== undefined) {
    let steps = c.steps;
    if (steps !== undefined && c.stepsId !== undefined) tables.set(c.stepsId, steps);
    if (steps === undefined && c.stepsRef !== undefined) steps = tables.get(c.stepsRef);
    if (steps === undefined) throw new Error('journal: the step table of a line is missing');
    const hashes = c.hashes;
    const hits = new Set(c.hits ?? []);
    const hex = (slot: number): string => hashes.slice(slot * HASH_CHARS, (slot + 1) * HASH_CHARS);
    return (c.ids ?? []).map((id, i) => {
      const s = steps[id];
      if (!s) throw new Error(`journal: step identity ${id} is missing`);
      const record: StepRecord = {
        step: s[0],
        params: s[2],
        cacheKey: s[1],
        inputHash: hex(i),
        outputHash: hex(i + 1),
        cacheHit: hits.has(i),
        ctxChanges: c.changes?.[i] ?? NO_CHANGES,
      };
      return withDuration(record, durations?.[i]);
    });
  }
  // Compact arrays (also what earlier versions wrote: `0` for an input equal to the last output).
  let previous = '';
  return (c.records ?? []).map(([step, cacheKey, input, outputHash, hit, rest], i) => {
    const record: StepRecord = {
      step,
      params: rest?.params ?? {},
      cacheKey,
      inputHash: input === 0 ? previous : input,
      outputHash,
      cacheHit: hit === 1,
      ctxChanges: rest?.ctxChanges ?? NO_CHANGES,
    };
    previous = outputHash;
    return withDuration(record, durations?.[i]);
  });
}

/**
 * A line's JSON read back (throws when it is not a journal entry). `tables`: the step tables the
 * file's earlier lines defined (lines are read in file order); this line's are added to it.
 */
export function parseEntry(json: string, tables: Map<string, Steps> = new Map()): JournalEntry {
  const raw = fromStoredJson<{ replicate: number; conditions: RawCondition[] }>(json);
  return {
    replicate: raw.replicate,
    conditions: raw.conditions.map((c) => ({
      condition: c.condition,
      fingerprint: c.fingerprint,
      seed: c.seed,
      metrics: c.metrics,
      records: recordsOf(c, tables),
      artifacts: c.artifacts,
      ...(c.error !== undefined ? { error: c.error } : {}),
    })),
  };
}
