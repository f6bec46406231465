// One cohesive unit, kept in one file on purpose: the store's read -> verify -> repair and
// encode -> atomic write cycle (entry checks, codec, key rules and atomic writes live in internal/).
import { lstat, open, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CacheError, rootLogger } from '@crystallize/core';
import type { CacheEntry } from './cache-entry.js';
import type * as EntryCodec from './internal/entry-codec.js';
import { CacheWriteError, UnencodableValueError } from './cache-errors.js';
import { TEMP_SUFFIX, removeStaleTemps, writeFileAtomic } from './internal/atomic-write.js';
import { checkKey, isKey } from './internal/cache-key.js';
import { checkEntry } from './internal/entry-check.js';
import {
  checkHeader,
  encodeHeader,
  placementOf,
  HEADER_SIZE,
  verifyEntry,
  type Corruption,
} from './internal/entry-format.js';

/** File extension of an entry: `<dir>/<stepKey>/<inputKey>.msgpack`. */
export const ENTRY_EXTENSION = '.msgpack';

/**
 * What to do with a value that cannot be encoded: fail with an UnencodableValueError
 * (`'error'`), or skip it. One spelling across Crystallize (an experiment's `onUnencodable` too).
 */
export type OnUnencodable = 'error' | 'skip';

/**
 * What an `onUnencodable` option accepts: an {@link OnUnencodable}, or `'throw'`, the cache's
 * former spelling of `'error'` (deprecated; read as `'error'`).
 */
export type OnUnencodableOption = OnUnencodable | 'throw';

/** An `onUnencodable` option in its one spelling (`'throw'` is read as `'error'`). */
export function normalizeOnUnencodable(
  option: OnUnencodableOption | undefined,
  fallback: OnUnencodable = 'error',
): OnUnencodable {
  if (option === undefined) return fallback;
  return option === 'throw' ? 'error' : option;
}

/** The part of a pino logger the store uses; a pino `Logger` fits. */
export interface CacheLogger {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface CacheStoreOptions {
  /** Root folder. Default: `CRYSTALLIZE_CACHE_DIR`, else `.cache` (resolved against the cwd). */
  readonly dir?: string;
  /** Where corrupt entries and skipped writes are reported. Default: core's `rootLogger()`. */
  readonly logger?: CacheLogger;
  /** Default for {@link CacheStore.set}; `'error'` unless given. */
  readonly onUnencodable?: OnUnencodableOption;
  /**
   * An unwritable cache folder during a run: `'warn'` (default) runs uncached with one warning
   * for the run, `'fail'` fails the step. `set()` itself always throws a {@link CacheWriteError};
   * the runner reads this policy. Entries already in a read-only folder are still hits.
   */
  readonly onWriteError?: CacheWriteErrorPolicy;
}

/**
 * What a run does when the cache folder cannot be written: `'warn'` runs the step uncached with
 * one warning for the run; `'fail'` fails the step with the {@link CacheWriteError}.
 */
export type CacheWriteErrorPolicy = 'warn' | 'fail';

export interface CacheSetOptions {
  readonly onUnencodable?: OnUnencodableOption;
}

/** What is on disk now, plus what this store instance has done since it was created. */
export interface CacheStats {
  readonly dir: string;
  /** Step folders holding at least one entry. */
  readonly steps: number;
  readonly entries: number;
  /** Bytes of all entry files, headers included. */
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
  readonly writes: number;
  /** Writes skipped because the value could not be encoded (`onUnencodable: 'skip'`). */
  readonly skipped: number;
  /** Corrupt, truncated or foreign-format files found (and deleted unless newer-format). */
  readonly corrupt: number;
}

// msgpackr (and the codec around it) is loaded with the first read or write: a process that
// imports the framework but never caches a step does not pay for it.
type Codec = typeof EntryCodec;
let codec: Promise<Codec> | undefined;
/** Files at least this big are read into a buffer of their own, placed for alignment. */
const PLACED_MIN_BYTES = 64 * 1024;

function loadCodec(): Promise<Codec> {
  codec ??= import('./internal/entry-codec.js');
  return codec;
}

// Temp files younger than this may belong to a writer that is about to rename them.
const STALE_TEMP_MS = 60_000;

/**
 * The on-disk step-output cache: one checksummed msgpack file per step call at
 * `<dir>/<stepKey>/<inputKey>.msgpack`. Writes are atomic (temp file + rename) and safe from
 * several threads or processes at once; a corrupt, truncated or old-format file is logged,
 * deleted and reported as a miss, never returned.
 *
 * @example
 * const store = new CacheStore();                     // CRYSTALLIZE_CACHE_DIR or .cache
 * await store.set(step.stepHash, hashValue(input), { output, metrics: [], artifacts: [] });
 * const hit = await store.get<Float64Array>(step.stepHash, hashValue(input));
 */
export class CacheStore {
  /** Absolute root folder of the store. */
  readonly dir: string;
  readonly #logger: CacheLogger | undefined;
  readonly #onUnencodable: OnUnencodable;
  /** What a run does when this store cannot be written (see {@link CacheStoreOptions}). */
  readonly onWriteError: CacheWriteErrorPolicy;
  /** The sweep of stale temp files, started by the first read or write of this store. */
  #swept: Promise<number> | undefined;
  #hits = 0;
  #misses = 0;
  #writes = 0;
  #skipped = 0;
  #corrupt = 0;

  constructor(options: CacheStoreOptions = {}) {
    this.dir = resolve(options.dir ?? (process.env['CRYSTALLIZE_CACHE_DIR'] || '.cache'));
    this.#logger = options.logger;
    this.#onUnencodable = normalizeOnUnencodable(options.onUnencodable);
    const policy = options.onWriteError ?? 'warn';
    if (policy !== 'warn' && policy !== 'fail') {
      throw new CacheError(
        `CacheStore: onWriteError must be 'warn' or 'fail', got ${JSON.stringify(policy)}.`,
      );
    }
    this.onWriteError = policy;
  }

  /**
   * Removes temp files that writes interrupted by a crash left behind: those of a process of
   * this machine that is gone, or untouched for an hour. Runs by itself once per store, before
   * its first read or write; returns how many files went.
   */
  async sweepTemps(): Promise<number> {
    let removed = 0;
    for (const step of await this.#stepFolders().catch(() => [])) {
      removed += await removeStaleTemps(join(this.dir, step));
    }
    return removed;
  }

  #sweepOnce(): Promise<number> {
    this.#swept ??= this.sweepTemps().catch(() => 0);
    return this.#swept;
  }

  /** The file an entry lives in (whether or not it exists). Throws on an unsafe key. */
  pathOf(stepKey: string, inputKey: string): string {
    checkKey('stepKey', stepKey);
    checkKey('inputKey', inputKey);
    return join(this.dir, stepKey, inputKey + ENTRY_EXTENSION);
  }

  /**
   * Reads, verifies and decodes an entry. Returns `undefined` on a miss — including when the
   * file was corrupt, truncated or of another format (it is then logged and deleted). The type
   * parameter is the caller's claim about what was stored; it is not checked.
   */
  async get<T = unknown>(stepKey: string, inputKey: string): Promise<CacheEntry<T> | undefined> {
    const file = this.pathOf(stepKey, inputKey);
    if (!this.#swept) await this.#sweepOnce();
    const read = await this.#read(file, Infinity);
    if (!read) {
      this.#misses++;
      return undefined;
    }
    const verified = verifyEntry(read.bytes);
    if ('reason' in verified) {
      return this.#corruptMiss(stepKey, inputKey, file, read.ino, verified);
    }
    const { decodeEntry } = await loadCodec();
    let entry: CacheEntry<T>;
    try {
      // A placed read's buffer is the entry's alone: a big typed-array output can be a view into it.
      entry = decodeEntry<T>(verified.payload, { views: read.placed });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return this.#corruptMiss(stepKey, inputKey, file, read.ino, {
        reason: 'undecodable',
        detail,
      });
    }
    this.#hits++;
    return entry;
  }

  /**
   * Encodes and atomically writes an entry, replacing any previous one. Returns `true` once
   * written, `false` when skipped under `onUnencodable: 'skip'`.
   *
   * @throws CacheError when `entry` is not a {@link CacheEntry} (not an object, no `output`,
   *   `metrics`/`artifacts` not arrays of records, an unknown field): nothing is written, whatever
   *   `onUnencodable` says, since such a file would only ever read back as a miss.
   * @throws UnencodableValueError (a CacheError) naming the key, the path in the entry and the
   *   offending type when a value cannot round-trip exactly; CacheError when the write fails.
   */
  async set<T>(
    stepKey: string,
    inputKey: string,
    entry: CacheEntry<T>,
    options: CacheSetOptions = {},
  ): Promise<boolean> {
    const file = this.pathOf(stepKey, inputKey);
    const key = `${stepKey}/${inputKey}`;
    checkEntry(entry, key);
    const { encodeEntry } = await loadCodec();
    let payload: Buffer;
    let alignment: number;
    try {
      ({ payload, alignment } = encodeEntry(entry, key));
    } catch (error) {
      const unencodable =
        error instanceof UnencodableValueError
          ? error
          : new UnencodableValueError(
              key,
              '(entry)',
              'value',
              `msgpackr could not encode (${error instanceof Error ? error.message : String(error)})`,
            );
      if (normalizeOnUnencodable(options.onUnencodable, this.#onUnencodable) === 'error')
        throw unencodable;
      this.#skipped++;
      this.#log().warn(
        { stepKey, inputKey, path: unencodable.path, valueType: unencodable.valueType },
        `Not caching ${key}: ${unencodable.path} is a ${unencodable.valueType}`,
      );
      return false;
    }
    await this.#sweepOnce();
    try {
      // On failure the temp file is removed; a crash mid-write leaves one for the next sweep.
      await writeFileAtomic(file, [encodeHeader(payload, alignment), payload]);
    } catch (error) {
      throw new CacheWriteError(this.dir, file, key, error);
    }
    this.#writes++;
    return true;
  }

  /**
   * Whether an entry exists with a sound header (magic, version, length). Cheap: reads 48
   * bytes; only {@link CacheStore.get} verifies the checksum. A bad header is handled as in get.
   */
  async has(stepKey: string, inputKey: string): Promise<boolean> {
    const file = this.pathOf(stepKey, inputKey);
    if (!this.#swept) await this.#sweepOnce();
    const read = await this.#read(file, HEADER_SIZE);
    if (!read) return false;
    const problem = checkHeader(read.bytes, read.size);
    if (!problem) return true;
    await this.#discard(stepKey, inputKey, file, read.ino, problem);
    return false;
  }

  /** Removes one entry; `true` when there was one. */
  async delete(stepKey: string, inputKey: string): Promise<boolean> {
    const file = this.pathOf(stepKey, inputKey);
    try {
      await unlink(file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw this.#ioError('delete', file, error);
    }
  }

  /**
   * Removes every entry (or every entry of one step) and the emptied step folders; returns how
   * many entries went. Only files the store writes are touched, so pointing the store at a
   * folder that holds other data never deletes that data.
   */
  async clear(stepKey?: string): Promise<number> {
    if (stepKey !== undefined) checkKey('stepKey', stepKey);
    const steps = stepKey !== undefined ? [stepKey] : await this.#stepFolders();
    let removed = 0;
    for (const step of steps) {
      const folder = join(this.dir, step);
      for (const name of await listFolder(folder)) {
        if (isEntryFile(name)) {
          if (await unlinkIfPresent(join(folder, name))) removed++;
        } else if (name.startsWith('.') && name.endsWith(TEMP_SUFFIX)) {
          const info = await stat(join(folder, name)).catch(() => undefined);
          if (info && Date.now() - info.mtimeMs > STALE_TEMP_MS) {
            await unlinkIfPresent(join(folder, name));
          }
        }
      }
      await rmdir(folder).catch(() => undefined); // not empty (foreign files, live temps): keep
    }
    return removed;
  }

  /** Entry counts and sizes on disk, and this instance's hit/miss/write counters. */
  async stats(): Promise<CacheStats> {
    let steps = 0;
    let entries = 0;
    let bytes = 0;
    for (const step of await this.#stepFolders()) {
      const folder = join(this.dir, step);
      let inStep = 0;
      for (const name of await listFolder(folder)) {
        if (!isEntryFile(name)) continue;
        const info = await stat(join(folder, name)).catch(() => undefined);
        if (!info?.isFile()) continue;
        inStep++;
        bytes += info.size;
      }
      entries += inStep;
      if (inStep > 0) steps++;
    }
    return {
      dir: this.dir,
      steps,
      entries,
      bytes,
      hits: this.#hits,
      misses: this.#misses,
      writes: this.#writes,
      skipped: this.#skipped,
      corrupt: this.#corrupt,
    };
  }

  #log(): CacheLogger {
    return this.#logger ?? rootLogger();
  }

  /**
   * Reads up to `limit` bytes of a file; `undefined` when it does not exist. A big file is
   * `placed`: read into a buffer of its own, at the offset its header's alignment hint asks for
   * (its header is read first), so a typed-array output's elements come out 8-byte aligned.
   */
  async #read(
    file: string,
    limit: number,
  ): Promise<{ bytes: Buffer; size: number; ino: number; placed: boolean } | undefined> {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#ioError('read', file, error);
    }
    try {
      const info = await handle.stat();
      const want = Math.min(info.size, limit);
      const placed = want >= PLACED_MIN_BYTES;
      let bytes: Buffer;
      let got = 0;
      if (placed) {
        const head = Buffer.allocUnsafe(HEADER_SIZE);
        while (got < HEADER_SIZE) {
          const { bytesRead } = await handle.read(head, got, HEADER_SIZE - got, got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        const shift = placementOf(head.subarray(0, got));
        bytes = Buffer.allocUnsafeSlow(want + shift).subarray(shift);
        head.copy(bytes, 0, 0, got);
      } else {
        bytes = Buffer.allocUnsafe(want);
      }
      while (got < want) {
        const { bytesRead } = await handle.read(bytes, got, want - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return { bytes: bytes.subarray(0, got), size: info.size, ino: info.ino, placed };
    } catch (error) {
      throw this.#ioError('read', file, error);
    } finally {
      await handle.close();
    }
  }

  async #corruptMiss(
    stepKey: string,
    inputKey: string,
    file: string,
    ino: number,
    problem: Corruption,
  ): Promise<undefined> {
    await this.#discard(stepKey, inputKey, file, ino, problem);
    this.#misses++;
    return undefined;
  }

  /** Logs a bad file and deletes it, unless a newer build wrote it or a writer replaced it. */
  async #discard(
    stepKey: string,
    inputKey: string,
    file: string,
    ino: number,
    problem: Corruption,
  ): Promise<void> {
    this.#corrupt++;
    const keep = problem.reason === 'newer-format';
    this.#log().warn(
      { stepKey, inputKey, file, reason: problem.reason, detail: problem.detail },
      keep
        ? `Cache entry ${stepKey}/${inputKey} was written by a newer Crystallize (${problem.detail}); ignoring it`
        : `Cache entry ${stepKey}/${inputKey} is unusable (${problem.reason}: ${problem.detail}); deleted, the step will be recomputed`,
    );
    if (keep) return;
    // Only delete the file that was read: a writer may have renamed a sound entry in since.
    const now = await lstat(file).catch(() => undefined);
    if (now?.ino === ino) await unlink(file).catch(() => undefined);
  }

  async #stepFolders(): Promise<string[]> {
    const found: string[] = [];
    let dirents;
    try {
      dirents = await readdir(this.dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return found;
      throw this.#ioError('list', this.dir, error);
    }
    for (const d of dirents) if (d.isDirectory() && isKey(d.name)) found.push(d.name);
    return found;
  }

  #ioError(action: string, file: string, error: unknown): CacheError {
    return new CacheError(
      `Could not ${action} ${file}: ${(error as Error).message}. Check the cache folder's permissions.`,
      { cause: error },
    );
  }
}

function isEntryFile(name: string): boolean {
  return name.endsWith(ENTRY_EXTENSION) && isKey(name.slice(0, -ENTRY_EXTENSION.length));
}

async function listFolder(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

async function unlinkIfPresent(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
