import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Temp files start with '.' and end with this, so listings of entries never include them. */
export const TEMP_SUFFIX = '.tmp';

let counter = 0;

/**
 * Writes `parts` to `file` so that no reader ever sees a partial file: the bytes go to a temp
 * file in the same folder (same file system), which is then renamed over `file` — atomic on
 * POSIX and on NTFS. Concurrent writers each use their own temp file; the last rename wins
 * and every version a reader can open is complete.
 */
export async function writeFileAtomic(file: string, parts: readonly Uint8Array[]): Promise<void> {
  const dir = dirname(file);
  const temp = join(
    dir,
    `.${basename(file)}.${process.pid}-${threadId}-${++counter}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
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
