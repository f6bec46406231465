import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

let thread: number | undefined;

/** This thread's id (node:worker_threads, loaded on the first write rather than at import). */
function threadId(): number {
  thread ??= (createRequire(import.meta.url)('node:worker_threads') as { threadId: number })
    .threadId;
  return thread;
}

/** Temp files start with '.' and end with this, so listings of entries never include them. */
export const TEMP_SUFFIX = '.tmp';

let counter = 0;

/*
 * The one atomic-write helper of the framework: the cache, the orchestrator's artifact plugin,
 * provenance files and stored results all write through it (the orchestrator through
 * `@crystallize/cache/internal`). The temp name comes from node:crypto, never Math.random: a
 * replicate's Math.random is the user's seeded stream, and drawing from it would shift the
 * user's numbers whenever a file is written.
 */

/** This machine, in temp names: a pid means something only on the host that wrote it. */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 6);

/**
 * A temp file beside `file` (same file system, so the rename is atomic), hidden and unique:
 * `.<name>.<host>-<pid>-<thread>-<n>-<random>.tmp`, so a later sweep can tell whose it was.
 */
function tempPathFor(file: string): string {
  return join(
    dirname(file),
    `.${basename(file)}.${HOST_TAG}-${process.pid}-${threadId()}-${++counter}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
}

const TEMP_NAME = /\.([0-9a-f]{6})-(\d+)-\d+-\d+-[0-9a-f]{8}\.tmp$/;

/** A temp file untouched this long is abandoned whoever wrote it (a live writer keeps writing). */
export const ABANDONED_TEMP_MS = 60 * 60 * 1000;

/** Whether `name` (in a folder listing) is a temp file of {@link writeFileAtomic}. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Whether a temp file is left over from a write that will never finish: its writer was a
 * process of this machine that is gone (killed mid-write), or nobody touched it for
 * {@link ABANDONED_TEMP_MS} (another machine's writer on a shared folder, an older name format).
 */
export function isStaleTemp(name: string, mtimeMs: number, now = Date.now()): boolean {
  if (now - mtimeMs > ABANDONED_TEMP_MS) return true;
  const m = TEMP_NAME.exec(name);
  if (!m || m[1] !== HOST_TAG) return false;
  const pid = Number(m[2]);
  return pid !== process.pid && !processIsAlive(pid);
}

/** Removes the stale temp files (see {@link isStaleTemp}) directly in `folder`; returns how many. */
export async function removeStaleTemps(folder: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!isTempName(name)) continue;
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile() || !isStaleTemp(name, info.mtimeMs)) continue;
    try {
      await unlink(path);
      removed++;
    } catch {
      // gone already, or a read-only folder: nothing to do
    }
  }
  return removed;
}

/**
 * Writes `parts` to `file` so that no reader ever sees a partial file: the bytes go to a temp
 * file in the same folder (same file system), which is then renamed over `file` — atomic on
 * POSIX and on NTFS. Concurrent writers each use their own temp file; the last rename wins
 * and every version a reader can open is complete.
 */
export async function writeFileAtomic(file: string, parts: readonly Uint8Array[]): Promise<void> {
  const dir = dirname(file);
  const temp = tempPathFor(file);
  let handle;
  try {
    handle = await open(temp, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true }); // first entry of this step, or the cache was cleared
    handle = await open(temp, 'wx');
  }
  try {
    // writeFile on a handle loops until every byte is written and appends in order.
    for (const part of parts) await handle.writeFile(part);
    await handle.close();
    handle = undefined;
    await renameWithRetry(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

// Windows refuses to replace a file another process holds open; such locks are brief.
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rename(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    }
  }
}

/** Chunks of a long text are written in batches of about this many characters. */
const BATCH = 1 << 16;

/**
 * The synchronous form of {@link writeFileAtomic}: `data` (bytes, a string, or the lines of a
 * long text as an iterable of strings, written in small batches so no whole copy is held) goes
 * to a temp file beside `file`, which is renamed into place; on failure the temp file is removed.
 */
export function writeFileAtomicSync(
  file: string,
  data: string | Uint8Array | Iterable<string>,
): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = tempPathFor(file);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      writeFileSync(temp, data, { flag: 'wx' });
    } else {
      const fd = openSync(temp, 'wx');
      try {
        // Small batches: a long-lived concatenation would be promoted to the old generation as
        // garbage and inflate the process's peak memory on long runs.
        let batch = '';
        for (const chunk of data) {
          batch += chunk;
          if (batch.length > BATCH) {
            writeSync(fd, batch);
            batch = '';
          }
        }
        if (batch) writeSync(fd, batch);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw error;
  }
}
