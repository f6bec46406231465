import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

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

/** A temp file beside `file` (same file system, so the rename is atomic), hidden and unique. */
function tempPathFor(file: string): string {
  return join(
    dirname(file),
    `.${basename(file)}.${process.pid}-${threadId}-${++counter}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
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
