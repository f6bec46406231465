import type { MetricRecord } from '@crystallize/core';
import { readStepRecord, type StepRecord } from '../model/step-record.js';
import { fromStoredJson, toStoredJson } from './stored-json.js';

/*
 * One cohesive algorithm (kept in one file on purpose): the column-wise provenance store and
 * its `provenance.jsonl` codec.
 *
 * Provenance is one StepRecord per step call: 200,000 of them for 10,000 replicates of a
 * 10-step, 2-condition experiment. Kept as objects they dominated a run's memory, so each
 * condition stores them column-wise in growable typed arrays — hashes as raw bytes, step
 * identities interned — and they become StepRecord objects again only when read.
 */

const HASH_BYTES = 32;
const NONE: readonly never[] = Object.freeze([]);
const EMPTY_CHANGES: StepRecord['ctxChanges'] = Object.freeze({
  reads: NONE,
  wrote: Object.freeze({}),
  metrics: NONE,
});
const FORMAT = 'crystallize-provenance/1';

interface StepIdentity {
  readonly step: string;
  readonly cacheKey: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** A step identity as files written before the rename of `stepHash` to `cacheKey` hold it. */
interface LegacyStepIdentity {
  readonly step: string;
  readonly stepHash: string;
  readonly params: Readonly<Record<string, unknown>>;
}

function identityOf(s: StepIdentity | LegacyStepIdentity): StepIdentity {
  return 'cacheKey' in s ? s : { step: s.step, cacheKey: s.stepHash, params: s.params };
}

/** Whether an object has no own enumerable key (without the array Object.keys builds). */
function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** Hashes per chunk (512 KiB): chunks are appended, never copied to grow. */
const CHUNK_SLOTS = 16384;

type Grown = Int32Array | Uint32Array | Float64Array | Uint8Array;

/** `array` with room for `needed` elements (doubling), contents kept. */
function room<T extends Grown>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const grown = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

/**
 * One condition's provenance in columns. Everything a long run accumulates lives in typed arrays
 * and fixed hash chunks rather than in an object per replicate or per step: objects that live
 * through garbage collections make V8 grow its young generation, which dominated a 10k-replicate
 * run's peak memory.
 */
class ConditionColumns {
  readonly chunks: Buffer[] = [];
  hashCount = 0;
  identities = new Uint32Array(256);
  cacheHits = new Uint8Array(256);
  /** Each call's `durationMs` (NaN: the record had none). */
  durations = new Float64Array(256);
  stepCount = 0;
  /** Per span (a replicate stored column-wise): first hash slot, first step, step count. */
  spans = new Int32Array(3 * 64);
  spanCount = 0;
  readonly spanOf = new Map<number, number>();
  /** Replicates whose records had an unusual shape, kept as they came. */
  readonly objectSpans = new Map<number, readonly StepRecord[]>();
  /** Context changes that are only numeric untagged metrics: one row per metric value. */
  rowStep = new Int32Array(64);
  rowName = new Uint32Array(64);
  rowValue = new Float64Array(64);
  rowCount = 0;
  readonly firstRow = new Map<number, number>();
  readonly names: string[] = [];
  readonly nameIndex = new Map<string, number>();
  /** Any other context changes, by global step index. */
  readonly otherChanges = new Map<number, StepRecord['ctxChanges']>();

  /** Starts a span of `n` hashes that does not cross a chunk; returns its first slot. */
  reserve(n: number): number {
    const offset = this.hashCount % CHUNK_SLOTS;
    if (offset + n > CHUNK_SLOTS) this.hashCount += CHUNK_SLOTS - offset; // skip the chunk's tail
    // A span fits in one chunk, so the chunk of its first slot is all it needs.
    while (Math.floor(this.hashCount / CHUNK_SLOTS) >= this.chunks.length) {
      this.chunks.push(Buffer.allocUnsafe(CHUNK_SLOTS * HASH_BYTES));
    }
    return this.hashCount;
  }

  /**
   * Appends `n` hashes given as one hex string (`reserve` made room for them in one chunk);
   * false, appending nothing, when the string is not `n` hashes of hex digits.
   */
  pushHashes(hex: string, n: number): boolean {
    const chunk = this.chunks[Math.floor(this.hashCount / CHUNK_SLOTS)] as Buffer;
    const at = (this.hashCount % CHUNK_SLOTS) * HASH_BYTES;
    if (chunk.write(hex, at, n * HASH_BYTES, 'hex') !== n * HASH_BYTES) return false;
    this.hashCount += n;
    return true;
  }

  /** Hex of `n` consecutive hashes from `slot` (a span never crosses a chunk). */
  hex(slot: number, n = 1): string {
    const chunk = this.chunks[Math.floor(slot / CHUNK_SLOTS)] as Buffer;
    const at = (slot % CHUNK_SLOTS) * HASH_BYTES;
    return chunk.toString('hex', at, at + n * HASH_BYTES);
  }

  pushStep(identity: number, cacheHit: boolean, durationMs: number | undefined): void {
    const n = this.stepCount;
    if (n >= this.identities.length) {
      // The three columns grow together.
      this.identities = room(this.identities, n + 1);
      this.cacheHits = room(this.cacheHits, n + 1);
      this.durations = room(this.durations, n + 1);
    }
    this.identities[n] = identity;
    this.cacheHits[n] = cacheHit ? 1 : 0;
    this.durations[n] = durationMs ?? NaN;
    this.stepCount = n + 1;
  }

  pushSpan(replicate: number, hashAt: number, stepAt: number, count: number): void {
    const at = 3 * this.spanCount;
    this.spans = room(this.spans, at + 3);
    this.spans[at] = hashAt;
    this.spans[at + 1] = stepAt;
    this.spans[at + 2] = count;
    this.spanOf.set(replicate, this.spanCount);
    this.spanCount += 1;
  }

  /** Records the context changes of global step `step`. */
  pushChanges(step: number, c: StepRecord['ctxChanges']): void {
    let simple = c.reads.length === 0 && isEmpty(c.wrote);
    for (let i = 0; simple && i < c.metrics.length; i++) {
      const m = c.metrics[i] as MetricRecord;
      simple = typeof m.value === 'number' && m.tags === undefined;
    }
    if (!simple) {
      this.otherChanges.set(step, c);
      return;
    }
    this.firstRow.set(step, this.rowCount);
    for (const m of c.metrics) {
      let name = this.nameIndex.get(m.name);
      if (name === undefined) {
        name = this.names.length;
        this.names.push(m.name);
        this.nameIndex.set(m.name, name);
      }
      const n = this.rowCount + 1;
      this.rowStep = room(this.rowStep, n);
      this.rowName = room(this.rowName, n);
      this.rowValue = room(this.rowValue, n);
      this.rowStep[this.rowCount] = step;
      this.rowName[this.rowCount] = name;
      this.rowValue[this.rowCount] = m.value as number;
      this.rowCount = n;
    }
  }

  /** The context changes of global step `step`. */
  changesAt(step: number): StepRecord['ctxChanges'] | undefined {
    const other = this.otherChanges.get(step);
    if (other) return other;
    const first = this.firstRow.get(step);
    if (first === undefined) return undefined;
    const metrics: MetricRecord[] = [];
    for (let r = first; r < this.rowCount && this.rowStep[r] === step; r++) {
      metrics.push({
        name: this.names[this.rowName[r] as number] as string,
        value: this.rowValue[r] as number,
      });
    }
    return { reads: NONE, wrote: {}, metrics };
  }

  /** `changesAt(step)` as JSON, written from the columns without building the objects. */
  changesJson(step: number): string | undefined {
    const other = this.otherChanges.get(step);
    if (other) return toStoredJson(other);
    const first = this.firstRow.get(step);
    if (first === undefined) return undefined;
    let metrics = '';
    for (let r = first; r < this.rowCount && this.rowStep[r] === step; r++) {
      const value = this.rowValue[r] as number;
      const name = JSON.stringify(this.names[this.rowName[r] as number]);
      metrics += `${metrics ? ',' : ''}{"name":${name},"value":${Number.isFinite(value) && !Object.is(value, -0) ? String(value) : toStoredJson(value)}}`;
    }
    return `{"reads":[],"wrote":{},"metrics":[${metrics}]}`;
  }

  has(replicate: number): boolean {
    return this.spanOf.has(replicate) || this.objectSpans.has(replicate);
  }

  /** Stored replicates, ascending. */
  replicates(): number[] {
    return [...this.spanOf.keys(), ...this.objectSpans.keys()].sort((a, b) => a - b);
  }

  /** A column-wise span's [first hash slot, first step, step count]. */
  span(replicate: number): [number, number, number] | undefined {
    const i = this.spanOf.get(replicate);
    if (i === undefined) return undefined;
    return [
      this.spans[3 * i] as number,
      this.spans[3 * i + 1] as number,
      this.spans[3 * i + 2] as number,
    ];
  }
}

/** Whether records chain (each input is the previous output) with sha256 hex hashes. */
function columnar(records: readonly StepRecord[]): boolean {
  let prev = records[0]?.inputHash;
  // hashValue always gives 64 hex digits; anything else (e.g. 'unhashable') stays as objects.
  if (prev === undefined || prev.length !== HASH_BYTES * 2 || records.length + 1 > CHUNK_SLOTS)
    return false;
  for (const r of records) {
    if (r.inputHash !== prev || r.outputHash.length !== HASH_BYTES * 2) return false;
    prev = r.outputHash;
  }
  return true;
}

/** One stored line of provenance.jsonl: a replicate, column-wise, or as plain records. */
interface ReplicateLine {
  readonly replicate: number;
  /** Hex of the input hash then each output hash. */
  readonly hashes?: string;
  /** Index into the header's `steps` per step. */
  readonly ids?: readonly number[];
  /** Indices of steps that were cache hits. */
  readonly hits?: readonly number[];
  /**
   * Each step's wall time in ms, when any was recorded: base64 of little-endian float64s, one per
   * step (NaN: not recorded) — one string per line, because printing a fraction per call was
   * most of the cost of storing them.
   */
  readonly durations?: string;
  readonly changes?: Readonly<Record<string, StepRecord['ctxChanges']>>;
  readonly records?: readonly StepRecord[];
}

/** `record` with its `durationMs` when one was recorded (NaN stands for none). */
function withDuration(record: StepRecord, durationMs: number): StepRecord {
  return Number.isNaN(durationMs) ? record : { ...record, durationMs };
}

/** Float64Array stores little-endian bytes on this machine (nearly all are). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([-0]).buffer)[7] === 0x80;
let scratch = Buffer.alloc(8 * 64);

/** `count` durations from `at`: base64 of little-endian float64s (exact; NaN for none). */
function durationsBase64(durations: Float64Array, at: number, count: number): string {
  if (LITTLE_ENDIAN) {
    // The column's own bytes, without a copy.
    return Buffer.from(durations.buffer, durations.byteOffset + 8 * at, 8 * count).toString(
      'base64',
    );
  }
  if (scratch.length < 8 * count) scratch = Buffer.alloc(8 * count);
  for (let i = 0; i < count; i++) scratch.writeDoubleLE(durations[at + i] as number, 8 * i);
  return scratch.toString('base64', 0, 8 * count);
}

/** A line's `durations` (see {@link durationsBase64}), or undefined when it has none. */
export function decodeDurations(base64: string | undefined): number[] | undefined {
  if (typeof base64 !== 'string') return undefined;
  const bytes = Buffer.from(base64, 'base64');
  const out: number[] = new Array(Math.floor(bytes.length / 8));
  for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(8 * i);
  return out;
}

/** The last ids list written, and its text: consecutive replicates nearly always share it. */
let lastIds: { ids: Uint32Array; text: string } = { ids: new Uint32Array(0), text: '' };

/** `count` identities from `at`, comma-separated. */
function idsJson(identities: Uint32Array, at: number, count: number): string {
  const last = lastIds.ids;
  let same = last.length === count;
  for (let i = 0; same && i < count; i++) same = last[i] === identities[at + i];
  if (same) return lastIds.text;
  const ids = identities.slice(at, at + count);
  lastIds = { ids, text: ids.join(',') };
  return lastIds.text;
}

export class ProvenanceStore {
  readonly #identities: StepIdentity[] = [];
  readonly #identityIndex = new Map<string, number>();
  readonly #conditions = new Map<string, ConditionColumns>();

  #columns(condition: string): ConditionColumns {
    let cols = this.#conditions.get(condition);
    if (!cols) this.#conditions.set(condition, (cols = new ConditionColumns()));
    return cols;
  }

  ensureCondition(condition: string): void {
    this.#columns(condition);
  }

  add(condition: string, replicate: number, records: readonly StepRecord[]): void {
    const cols = this.#columns(condition);
    if (!columnar(records)) {
      cols.objectSpans.set(replicate, records); // unusual shapes are kept as they are
      return;
    }
    const hashAt = cols.reserve(records.length + 1);
    const stepAt = cols.stepCount;
    // One hex decode for the span: the input hash, then each output hash.
    let hex = (records[0] as StepRecord).inputHash;
    for (const r of records) hex += r.outputHash;
    if (!cols.pushHashes(hex, records.length + 1)) {
      cols.objectSpans.set(replicate, records); // not hex digits: kept as they are
      return;
    }
    for (const r of records) {
      const c = r.ctxChanges;
      if (c.reads.length || c.metrics.length || !isEmpty(c.wrote))
        cols.pushChanges(cols.stepCount, c);
      cols.pushStep(this.#identity(r), r.cacheHit, r.durationMs);
    }
    cols.pushSpan(replicate, hashAt, stepAt, records.length);
  }

  /** `{ [condition]: { [replicate]: StepRecord[] } }`, materialised lazily on read. */
  view(): Record<string, Record<number, readonly StepRecord[]>> {
    const out: Record<string, Record<number, readonly StepRecord[]>> = {};
    for (const [condition, cols] of this.#conditions) out[condition] = this.#replicateView(cols);
    return out;
  }

  /** The replicates of a condition that have records, ascending. */
  replicates(condition: string): number[] {
    return this.#conditions.get(condition)?.replicates() ?? [];
  }

  /** Every replicate's records of a condition, in replicate order (for storage). */
  *entries(condition: string): Generator<[number, readonly StepRecord[]]> {
    const cols = this.#conditions.get(condition);
    if (!cols) return;
    for (const rep of cols.replicates()) yield [rep, this.#records(cols, rep) ?? []];
  }

  #records(cols: ConditionColumns, replicate: number): readonly StepRecord[] | undefined {
    const objects = cols.objectSpans.get(replicate);
    if (objects) return objects;
    const span = cols.span(replicate);
    if (!span) return undefined;
    const [hashAt, stepAt, count] = span;
    const out: StepRecord[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const id = this.#identities[cols.identities[stepAt + i] as number] as StepIdentity;
      out[i] = withDuration(
        {
          step: id.step,
          params: id.params,
          cacheKey: id.cacheKey,
          inputHash: cols.hex(hashAt + i),
          outputHash: cols.hex(hashAt + i + 1),
          cacheHit: cols.cacheHits[stepAt + i] === 1,
          ctxChanges: cols.changesAt(stepAt + i) ?? EMPTY_CHANGES,
        },
        cols.durations[stepAt + i] as number,
      );
    }
    return out;
  }

  #replicateView(cols: ConditionColumns): Record<number, readonly StepRecord[]> {
    const isRep = (key: string | symbol): key is string =>
      typeof key === 'string' && /^\d+$/.test(key) && cols.has(Number(key));
    return new Proxy({} as Record<number, readonly StepRecord[]>, {
      get: (_t, key) => (isRep(key) ? this.#records(cols, Number(key)) : undefined),
      has: (_t, key) => isRep(key),
      ownKeys: () => cols.replicates().map(String),
      getOwnPropertyDescriptor: (_t, key) =>
        // An accessor, so that listing keys (Object.keys) does not build every replicate's records.
        isRep(key)
          ? { get: () => this.#records(cols, Number(key)), enumerable: true, configurable: true }
          : undefined,
    });
  }

  #identity(r: StepRecord): number {
    // The key hashes step name, code and params: one key, one identity.
    let idx = this.#identityIndex.get(r.cacheKey);
    if (idx === undefined || this.#identities[idx]?.step !== r.step) {
      idx = this.#identities.length;
      this.#identities.push({ step: r.step, cacheKey: r.cacheKey, params: r.params });
      this.#identityIndex.set(r.cacheKey, idx);
    }
    return idx;
  }

  /**
   * The condition as `provenance.jsonl` lines: a header with the step identities, then one line
   * per replicate in replicate order, hashes as one hex string — written straight from the
   * columns, never as a record object per step.
   */
  *lines(condition: string): Generator<string> {
    const cols = this.#conditions.get(condition);
    yield toStoredJson({ format: FORMAT, steps: this.#identities });
    if (!cols) return;
    for (const rep of cols.replicates()) {
      const objects = cols.objectSpans.get(rep);
      if (objects) {
        yield toStoredJson({ replicate: rep, records: objects } satisfies ReplicateLine);
        continue;
      }
      const [hashAt, stepAt, count] = cols.span(rep) as [number, number, number];
      const hits: number[] = [];
      let changes = '';
      let timed = false;
      for (let i = 0; i < count; i++) {
        if (cols.cacheHits[stepAt + i] === 1) hits.push(i);
        if (!Number.isNaN(cols.durations[stepAt + i])) timed = true;
        const c = cols.changesJson(stepAt + i);
        if (c) changes += `${changes ? ',' : ''}"${i}":${c}`;
      }
      // Built by hand: this runs once per replicate and condition of every stored run, and the
      // generic path (an object, Array.from, JSON.stringify) was most of the cost of storing.
      let line = `{"replicate":${rep},"hashes":"${cols.hex(hashAt, count + 1)}","ids":[${idsJson(cols.identities, stepAt, count)}]`;
      if (hits.length) line += `,"hits":[${hits.join(',')}]`;
      if (timed) line += `,"durations":"${durationsBase64(cols.durations, stepAt, count)}"`;
      if (changes) line += `,"changes":{${changes}}`;
      yield `${line}}`;
    }
  }

  /** Reads `provenance.jsonl` text back into records per replicate. */
  static parse(text: string): Record<number, readonly StepRecord[]> {
    const out: Record<number, readonly StepRecord[]> = {};
    let steps: readonly StepIdentity[] = [];
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      const line = fromStoredJson(raw) as ReplicateLine & {
        format?: string;
        steps?: (StepIdentity | LegacyStepIdentity)[];
      };
      if (line.format !== undefined) {
        if (line.format !== FORMAT) throw new Error(`unknown provenance format '${line.format}'`);
        steps = (line.steps ?? []).map(identityOf);
        continue;
      }
      if (line.records) {
        out[line.replicate] = line.records.map(readStepRecord);
        continue;
      }
      const hashes = line.hashes ?? '';
      const hits = new Set(line.hits ?? []);
      const durations = decodeDurations(line.durations);
      const hex = (slot: number): string =>
        hashes.slice(slot * HASH_BYTES * 2, (slot + 1) * HASH_BYTES * 2);
      out[line.replicate] = (line.ids ?? []).map((id, i) => {
        const s = steps[id] as StepIdentity;
        return withDuration(
          {
            step: s.step,
            params: s.params,
            cacheKey: s.cacheKey,
            inputHash: hex(i),
            outputHash: hex(i + 1),
            cacheHit: hits.has(i),
            ctxChanges: line.changes?.[i] ?? EMPTY_CHANGES,
          },
          durations?.[i] ?? NaN,
        );
      });
    }
    return out;
  }
}
