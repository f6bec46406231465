import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import * as zlib from 'node:zlib';
import type { ConditionOutcome, ReplicateOutcome } from '../model/outcome.js';
import type { StepRecord } from '../model/step-record.js';
import { decodeDurations } from './provenance-store.js';
import { fromStoredJson, toStoredJson } from './stored-json.js';

/*
 * The run journal `<run dir>/journal.jsonl` (issue #12 point 1): one line per replicate outcome,
 * appended by the parent process as the outcome arrives, whatever the execution backend. A line
 * is `<checksum> <json>\n`: the checksum (CRC-32 of the JSON, 8 hex digits; 12 hex digits of its
 * SHA-1 on a Node without zlib.crc32) lets a reader drop a torn last line (a process killed
 * mid-write) and any line damaged otherwise. Step records are written compactly (an array per
 * record, an input hash equal to the previous record's output hash left out): a 10-step,
 * 2-condition replicate is a few KB, and encoding it costs little beside the replicate itself.
 *
 * One file and one `write` syscall per replicate (on a descriptor opened once with O_APPEND)
 * stays cheap at 100k replicates, where a file per replicate would cost a create, a write and a
 * rename each (and a directory of 100k entries). The line is in the kernel's buffers when
 * `write` returns, so it survives the death of the process (not a power loss: no stored file is
 * fsynced).
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

const crc32 = (zlib as { crc32?: (data: string | Uint8Array) => number }).crc32;

function checksum(json: string, length = crc32 ? 8 : 12): string {
  if (length === 8 && crc32) return crc32(json).toString(16).padStart(8, '0');
  return createHash('sha1').update(json).digest('hex').slice(0, 12);
}

/**
 * A hash as a JSON string, quoted without escaping: hashes are hex digests. (Were one ever not,
 * its line would fail to parse and be skipped, so its replicate reruns — never read wrong.)
 */
function hex(hash: string): string {
  return `"${hash}"`;
}

/** A number JSON keeps as it is (finite, not -0). */
function plainNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0);
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
      out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${list}]`;
    }
    return `${out}}`;
  }
  return toStoredJson(value);
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * A record as a compact array: `[step, cacheKey, inputHash | 0, outputHash, hit, rest?]` — `0`
 * for an input hash equal to the previous record's output hash, `rest` (params, context
 * changes, duration) only when any is not empty.
 */
function recordsJson(records: readonly StepRecord[]): string {
  let out = '[';
  let previous: string | undefined;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as StepRecord;
    const c = r.ctxChanges;
    // Durations travel as one column per condition (see durationsJson), not per record.
    const plain =
      isEmpty(r.params) && c.reads.length === 0 && c.metrics.length === 0 && isEmpty(c.wrote);
    const rest = plain ? '' : `,${restJson(r)}`;
    const input = r.inputHash === previous ? '0' : hex(r.inputHash);
    out += `${i ? ',' : ''}[${JSON.stringify(r.step)},${hex(r.cacheKey)},${input},${hex(r.outputHash)},${r.cacheHit ? 1 : 0}${rest}]`;
    previous = r.outputHash;
  }
  return `${out}]`;
}

/** Params of plain values as JSON by hand; undefined when any value needs the generic path. */
function plainParamsJson(params: Readonly<Record<string, unknown>>): string | undefined {
  let out = '{';
  for (const k in params) {
    const v = params[k];
    const json =
      typeof v === 'string'
        ? JSON.stringify(v)
        : plainNumber(v) || typeof v === 'boolean'
          ? String(v)
          : undefined;
    if (json === undefined) return undefined;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${json}`;
  }
  return `${out}}`;
}

/**
 * A record's params, context changes and duration. The common record — plain params, no context
 * change, no duration — is written by hand (one generic encode per step call was the largest
 * cost of a journal line); `ctxChanges` is then left out (read back as empty).
 */
function restJson(r: StepRecord): string {
  const c = r.ctxChanges;
  if (c.reads.length === 0 && c.metrics.length === 0 && isEmpty(c.wrote)) {
    const params = plainParamsJson(r.params);
    if (params !== undefined) return `{"params":${params}}`;
  }
  return toStoredJson({ params: r.params, ctxChanges: c });
}

let scratch = Buffer.alloc(8 * 64);

/**
 * The records' call times as one field: base64 of little-endian float64s, NaN for a call without
 * one (as `provenance.jsonl` stores them; a number as text per call cost more than the rest).
 */
function durationsJson(records: readonly StepRecord[]): string {
  let timed = false;
  for (const r of records) if (r.durationMs !== undefined) timed = true;
  if (!timed) return '';
  if (scratch.length < 8 * records.length) scratch = Buffer.alloc(8 * records.length);
  for (let i = 0; i < records.length; i++)
    scratch.writeDoubleLE(records[i]?.durationMs ?? NaN, 8 * i);
  return `,"durations":"${scratch.toString('base64', 0, 8 * records.length)}"`;
}

type CompactRecord = [string, string, string | 0, string, 0 | 1, Partial<StepRecord>?];

function expandRecords(
  compact: readonly CompactRecord[],
  durations: readonly number[] | undefined,
): StepRecord[] {
  let previous = '';
  return compact.map(([step, cacheKey, input, outputHash, hit, rest], i) => {
    const duration = durations?.[i] ?? rest?.durationMs;
    const record: StepRecord = {
      step,
      params: rest?.params ?? {},
      cacheKey,
      inputHash: input === 0 ? previous : input,
      outputHash,
      cacheHit: hit === 1,
      ...(duration !== undefined && !Number.isNaN(duration) ? { durationMs: duration } : {}),
      ctxChanges: rest?.ctxChanges ?? { reads: [], wrote: {}, metrics: [] },
    };
    previous = outputHash;
    return record;
  });
}

function entryJson(
  outcome: ReplicateOutcome,
  fingerprints: Readonly<Record<string, { readonly hash: string }>>,
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
    conditions +=
      `${conditions ? ',' : ''}{"condition":${JSON.stringify(c.condition)}` +
      `,"fingerprint":${JSON.stringify(fingerprints[c.condition]?.hash ?? '')}` +
      `,"seed":${storedJson(c.seed)},"metrics":${storedJson(c.metrics)}` +
      `,"records":${recordsJson(c.records)}${durationsJson(c.records)}` +
      `,"artifacts":${storedJson(c.artifacts)}${error}}`;
  }
  return `{"replicate":${outcome.replicate},"conditions":[${conditions}]}`;
}

/** The journal line of one replicate outcome (fingerprints by condition). */
export function journalLine(
  outcome: ReplicateOutcome,
  fingerprints: Readonly<Record<string, { readonly hash: string }>>,
): string {
  const json = entryJson(outcome, fingerprints);
  return `${checksum(json)} ${json}\n`;
}

/** {@link journalLine} as the bytes to append (the checksum computed over the encoded JSON). */
export function journalBytes(
  outcome: ReplicateOutcome,
  fingerprints: Readonly<Record<string, { readonly hash: string }>>,
): Buffer {
  if (!crc32) return Buffer.from(journalLine(outcome, fingerprints), 'utf8');
  // One UTF-8 encoding: the CRC-32 of the JSON's bytes is the CRC-32 of the JSON string.
  const json = Buffer.from(entryJson(outcome, fingerprints), 'utf8');
  const head = `${crc32(json).toString(16).padStart(8, '0')} `;
  const out = Buffer.allocUnsafe(head.length + json.length + 1);
  out.write(head, 0, 'latin1');
  json.copy(out, head.length);
  out[out.length - 1] = 0x0a;
  return out;
}

/** An open journal: `append` writes one line with one `write`; `close` closes it. */
export class JournalWriter {
  readonly path: string;
  #fd: number | undefined;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a');
  }

  append(line: string | Buffer): void {
    if (this.#fd === undefined) return;
    const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
    let done = 0;
    // One write for the whole line; a short write (rare: a full disk) is continued.
    while (done < bytes.length) done += writeSync(this.#fd, bytes, done, bytes.length - done);
  }

  /**
   * Closes it. Idempotent. No fsync: like every other file of a stored run, the journal survives
   * the death of the process (the kernel holds what `write` gave it), not a power loss before the
   * system wrote it out — an fsync per run cost ~15% of a 2,000-replicate W1 run.
   */
  close(): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    closeSync(fd);
  }
}

/** Every intact line of a journal file, in file order (a torn or damaged line is skipped). */
export function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space !== 8 && space !== 12) continue;
    const json = line.slice(space + 1);
    if (space === 8 && !crc32) continue; // written with CRC-32, which this Node cannot check
    if (checksum(json, space) !== line.slice(0, space)) continue;
    try {
      const raw = fromStoredJson<{
        replicate: number;
        conditions: (Omit<JournalCondition, 'records'> & {
          records: CompactRecord[];
          durations?: string;
        })[];
      }>(json);
      out.push({
        replicate: raw.replicate,
        conditions: raw.conditions.map(({ durations, ...c }) => ({
          ...c,
          records: expandRecords(c.records, decodeDurations(durations)),
        })),
      });
    } catch {
      // a line that passed its checksum but does not parse: not ours, skip it
    }
  }
  return out;
}
