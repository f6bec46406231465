import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { ConditionOutcome, ReplicateOutcome } from '../model/outcome.js';
import { fromStoredJson, toStoredJson } from './stored-json.js';

/*
 * The run journal `<run dir>/journal.jsonl` (issue #12 point 1): one line per replicate outcome,
 * appended by the parent process as the outcome arrives, whatever the execution backend. A line
 * is `<checksum> <json>\n`: the checksum (12 hex digits of the SHA-1 of the JSON) lets a reader
 * drop a torn last line (a process killed mid-write) and any line damaged otherwise.
 *
 * One file and one `write` syscall per replicate (on a descriptor opened once with O_APPEND)
 * stays cheap at 100k replicates, where a file per replicate would cost a create, a write and a
 * rename each (and a directory of 100k entries). The line is in the kernel's buffers when
 * `write` returns, so it survives the death of the process; it survives a power loss only after
 * the `fsync` done once when the run closes the journal.
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

const CHECKSUM_LENGTH = 12;

function checksum(json: string): string {
  return createHash('sha1').update(json).digest('hex').slice(0, CHECKSUM_LENGTH);
}

/** The journal line of one replicate outcome (fingerprints by condition). */
export function journalLine(
  outcome: ReplicateOutcome,
  fingerprints: Readonly<Record<string, { readonly hash: string }>>,
): string {
  const entry: JournalEntry = {
    replicate: outcome.replicate,
    conditions: outcome.conditions.map((c) => ({
      condition: c.condition,
      fingerprint: fingerprints[c.condition]?.hash ?? '',
      seed: c.seed,
      metrics: c.metrics,
      records: c.records,
      artifacts: c.artifacts,
      ...(c.error
        ? {
            error: {
              name: c.error.name,
              message: c.error.message,
              ...(c.error.stepName !== undefined ? { stepName: c.error.stepName } : {}),
            },
          }
        : {}),
    })),
  };
  const json = toStoredJson(entry);
  return `${checksum(json)} ${json}\n`;
}

/** An open journal: `append` writes one line with one `write`; `close` fsyncs and closes. */
export class JournalWriter {
  readonly path: string;
  #fd: number | undefined;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a');
  }

  append(line: string): void {
    if (this.#fd === undefined) return;
    const bytes = Buffer.from(line, 'utf8');
    let done = 0;
    // One write for the whole line; a short write (rare: a full disk) is continued.
    while (done < bytes.length) done += writeSync(this.#fd, bytes, done, bytes.length - done);
  }

  /** Flushes to disk (once per run: what a power loss could take) and closes. Idempotent. */
  close(): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
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
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space !== CHECKSUM_LENGTH) continue;
    const json = line.slice(space + 1);
    if (checksum(json) !== line.slice(0, space)) continue;
    try {
      out.push(fromStoredJson<JournalEntry>(json));
    } catch {
      // a line that passed its checksum but does not parse: not ours, skip it
    }
  }
  return out;
}
