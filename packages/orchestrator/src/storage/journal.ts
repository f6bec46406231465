import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type { ReplicateOutcome } from '../model/outcome.js';
import { entryJson, parseEntry, type JournalEntry, type JournalSession } from './journal-line.js';

export type { JournalCondition, JournalEntry } from './journal-line.js';

/*
 * The run journal `<run dir>/journal.jsonl` (issue #12 point 1): one line per replicate outcome,
 * appended by the parent process as the outcome arrives, whatever the execution backend. A line
 * is `<checksum> <json>\n`: the checksum (CRC-32 of the JSON, 8 hex digits; 12 hex digits of its
 * SHA-1 on a Node without zlib.crc32) lets a reader drop a torn last line (a process killed
 * mid-write) and any line damaged otherwise. Step records are written column-wise, the way
 * `provenance.jsonl` stores them (journal-line.ts): a 10-step, 2-condition replicate is ~2 KB,
 * encoded with a few string joins into a buffer the writer reuses.
 *
 * One file and one `write` syscall per replicate (on a descriptor opened once with O_APPEND)
 * stays cheap at 100k replicates, where a file per replicate would cost a create, a write and a
 * rename each (and a directory of 100k entries). The line is in the kernel's buffers when
 * `write` returns, so it survives the death of the process (not a power loss: no stored file is
 * fsynced).
 */

type Crc32 = (data: string | Uint8Array) => number;
let zlibCrc32: Crc32 | null | undefined;

/**
 * zlib's CRC-32 (Node >= 20.15; null before), loaded with the first journal line rather than at
 * import: node:zlib pulls in Node's streams, ~1 ms of every fresh process.
 */
function crc32Of(): Crc32 | null {
  if (zlibCrc32 === undefined) {
    zlibCrc32 = (createRequire(import.meta.url)('node:zlib') as { crc32?: Crc32 }).crc32 ?? null;
  }
  return zlibCrc32;
}

function checksum(json: string, length = crc32Of() ? 8 : 12): string {
  const crc32 = crc32Of();
  if (length === 8 && crc32) return crc32(json).toString(16).padStart(8, '0');
  return createHash('sha1').update(json).digest('hex').slice(0, 12);
}

/** The journal line of one replicate outcome (fingerprints by condition). */
export function journalLine(
  outcome: ReplicateOutcome,
  fingerprints: Readonly<Record<string, { readonly hash: string }>>,
): string {
  const json = entryJson(outcome, fingerprints);
  return `${checksum(json)} ${json}\n`;
}

/**
 * Encodes the line of `outcome` as `<crc> <json>\n` into `buffer` at `at` (a bigger buffer, with
 * the bytes before `at` copied, when it has no room) and returns the buffer and the line's end:
 * one UTF-8 encoding into memory that is reused from line to line, and the CRC-32 of the encoded
 * JSON (which is the CRC-32 of the JSON string).
 */
function encodeInto(
  buffer: Buffer,
  at: number,
  outcome: ReplicateOutcome,
  fingerprints: Readonly<Record<string, { readonly hash: string }>>,
  session?: JournalSession,
): [Buffer, number] {
  const json = entryJson(outcome, fingerprints, session);
  const crc32 = crc32Of();
  const line = crc32 ? undefined : Buffer.from(`${checksum(json)} ${json}\n`, 'utf8');
  // `<crc> ` is 9 bytes, the JSON at most 3 bytes per UTF-16 unit, then `\n`.
  const need = at + (line ? line.length : 9 + 3 * json.length + 1);
  let out = buffer;
  if (out.length < need) {
    out = Buffer.allocUnsafe(Math.max(need, 2 * buffer.length));
    buffer.copy(out, 0, 0, at);
  }
  if (line) return [out, at + line.copy(out, at)];
  const n = out.write(json, at + 9, 'utf8');
  out.write(
    `${(crc32 as (data: Uint8Array) => number)(out.subarray(at + 9, at + 9 + n))
      .toString(16)
      .padStart(8, '0')} `,
    at,
    'latin1',
  );
  out[at + 9 + n] = 0x0a;
  return [out, at + 10 + n];
}

/** {@link journalLine} as the bytes to append (a new buffer). */
export function journalBytes(
  outcome: ReplicateOutcome,
  fingerprints: Readonly<Record<string, { readonly hash: string }>>,
): Buffer {
  const [buffer, length] = encodeInto(Buffer.alloc(0), 0, outcome, fingerprints);
  return buffer.subarray(0, length);
}

/** How long lines of cheap replicates may wait to be written together (see JournalWriter). */
export const JOURNAL_WINDOW_MS = 2;
/** Lines waiting beyond this many bytes are written at once. */
const MAX_PENDING_BYTES = 256 * 1024;
/** The memory a writer keeps for its lines between runs of appends. */
const KEPT_BUFFER_BYTES = 1024 * 1024;

/** Journals with lines not yet written: written when the process exits (process.exit included). */
const open = new Set<JournalWriter>();
let exitHook = false;

/** The step time of a replicate (ms, all conditions); Infinity when a record has none. */
function stepTime(outcome: ReplicateOutcome): number {
  let ms = 0;
  for (const c of outcome.conditions) {
    for (const r of c.records) ms += r.durationMs ?? Infinity;
  }
  return ms;
}

/**
 * An open journal. A line is written with one `write` as soon as its replicate is appended,
 * unless the replicate was cheap: lines of replicates that each took less than `windowMs` of
 * step time and all finished within `windowMs` of the last write wait (at most until the next
 * append after the window, a timer, `close` or the process's exit) and go out together in one
 * `write`. A kill therefore loses at most the replicates in flight and finished ones worth less
 * than `windowMs` of computing — and a run of 10,000 trivial replicates makes a few hundred
 * writes instead of 10,000 (a `write` cost more than encoding the line). `windowMs: 0` writes
 * every line at once.
 */
export class JournalWriter {
  readonly path: string;
  readonly windowMs: number;
  #fd: number | undefined;
  #buffer: Buffer = Buffer.allocUnsafe(64 * 1024);
  /** Bytes of lines waiting in #buffer. */
  #pending = 0;
  #lastWrite: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Step tables this writer wrote (its later lines refer to them). */
  readonly #session: JournalSession = { defined: new Set() };
  /** A failure of a write made by the timer: thrown by the next append or close. */
  #failure: unknown;

  constructor(path: string, options: { readonly windowMs?: number } = {}) {
    this.path = path;
    this.windowMs = options.windowMs ?? JOURNAL_WINDOW_MS;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a');
    this.#lastWrite = performance.now();
  }

  /** Writes `line` (after any waiting lines) with one `write`. */
  append(line: string | Buffer): void {
    const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
    this.flush();
    this.#write(bytes, bytes.length);
  }

  /** Appends the line of a replicate outcome (written at once, or with the next ones if cheap). */
  appendOutcome(
    outcome: ReplicateOutcome,
    fingerprints: Readonly<Record<string, { readonly hash: string }>>,
  ): void {
    if (this.#fd === undefined) return;
    this.#throwFailure();
    const [buffer, end] = encodeInto(
      this.#buffer,
      this.#pending,
      outcome,
      fingerprints,
      this.#session,
    );
    this.#buffer = buffer;
    this.#pending = end;
    const now = performance.now();
    if (
      now - this.#lastWrite >= this.windowMs ||
      stepTime(outcome) >= this.windowMs ||
      end >= MAX_PENDING_BYTES
    ) {
      this.flush();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#flushFromTimer(), this.windowMs);
      this.#timer.unref();
      open.add(this);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const journal of open) journal.#flushFromTimer();
        });
      }
    }
  }

  /**
   * Writes the lines that wait, with one `write`. A write that fails (here or on the timer) is
   * thrown — by this call, or by the next append or flush after a timer's — and its lines stay
   * waiting for the next attempt: nothing is counted written that was not.
   */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    open.delete(this);
    this.#throwFailure();
    const pending = this.#pending;
    if (pending === 0 || this.#fd === undefined) return;
    let done = 0;
    try {
      // One write for all of it; a short write (rare: a full disk) is continued.
      while (done < pending) done += writeSync(this.#fd, this.#buffer, done, pending - done);
    } finally {
      // What was written is done; the rest waits (moved to the front) for the next attempt.
      if (done < pending) this.#buffer.copy(this.#buffer, 0, done, pending);
      this.#pending = pending - done;
      this.#lastWrite = performance.now();
    }
    if (this.#buffer.length > KEPT_BUFFER_BYTES) this.#buffer = Buffer.allocUnsafe(64 * 1024);
  }

  #flushFromTimer(): void {
    try {
      this.flush();
    } catch (e) {
      this.#failure ??= e;
    }
  }

  #throwFailure(): void {
    const failure = this.#failure;
    if (failure === undefined) return;
    this.#failure = undefined;
    throw failure;
  }

  #write(bytes: Buffer, length: number): void {
    if (this.#fd === undefined) return;
    let done = 0;
    // One write for all of it; a short write (rare: a full disk) is continued.
    while (done < length) done += writeSync(this.#fd, bytes, done, length - done);
    this.#lastWrite = performance.now();
  }

  /**
   * Writes what waits and closes it. Idempotent. No fsync: like every other file of a stored run,
   * the journal survives the death of the process (the kernel holds what `write` gave it), not a
   * power loss before the system wrote it out — an fsync per run cost ~15% of a 2,000-replicate
   * W1 run.
   */
  close(): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    try {
      this.flush();
      this.#throwFailure();
    } finally {
      this.#fd = undefined;
      closeSync(fd);
    }
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
  const tables: Parameters<typeof parseEntry>[1] = new Map();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space !== 8 && space !== 12) continue;
    const json = line.slice(space + 1);
    if (space === 8 && !crc32Of()) continue; // written with CRC-32, which this Node cannot check
    if (checksum(json, space) !== line.slice(0, space)) continue;
    try {
      out.push(parseEntry(json, tables));
    } catch {
      // a line that passed its checksum but does not parse: not ours, skip it
    }
  }
  return out;
}
