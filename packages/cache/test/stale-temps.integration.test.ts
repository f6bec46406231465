/*
 * Temp files of cache writes that a crash interrupted: real child processes write a large
 * entry and are SIGKILLed mid-write; the next store to open the folder removes what they left.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CacheStore } from '@crystallize/cache';
import { tempCacheDir } from './fixtures/temp-cache-dir.js';

const fixture = join(import.meta.dirname, 'fixtures', 'killed-writer.mjs');
const SLOW = 120_000;
const MB = 120;
const cache = tempCacheDir();

const temps = (folder: string): string[] =>
  readdirSync(folder).filter((n) => n.startsWith('.') && n.endsWith('.tmp'));

/** Starts a writer of a MB-sized entry, kills it with SIGKILL where `stop` says, returns the temp size. */
async function killWriterAt(
  dir: string,
  inputKey: string,
  stop: 'before-payload' | 'before-rename',
): Promise<number> {
  const child = spawn(process.execPath, [fixture, dir, 'step', inputKey, String(MB), stop], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const size = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /hanging (\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('close', (code) => reject(new Error(`writer ended (${code}) first:\n${out}\n${err}`)));
  });
  const closed = new Promise((r) => child.on('close', r));
  child.kill('SIGKILL');
  await closed;
  return size;
}

describe('stale cache temp files', () => {
  it(
    'removes the temp files of writers SIGKILLed mid-write (a 120 MB entry) when the cache is next opened, so none accumulate',
    async () => {
      const dir = cache.dir();
      const folder = join(dir, 'step');
      const big = await killWriterAt(dir, 'big', 'before-rename');
      expect(big).toBeGreaterThan(MB * 1024 * 1024);
      const [bigTemp] = temps(folder);
      expect(temps(folder)).toHaveLength(1);
      expect(statSync(join(folder, bigTemp as string)).size).toBe(big);

      // The next writer's store swept the dead writer's 120 MB temp file before writing; it
      // is killed in turn and leaves its own.
      await killWriterAt(dir, 'small', 'before-payload');
      const left = temps(folder);
      expect(left).toHaveLength(1);
      expect(left).not.toContain(bigTemp);

      // Opening the cache (its first read) sweeps them; the interrupted entries are misses.
      const store = new CacheStore({ dir });
      expect(await store.get('step', 'big')).toBeUndefined();
      expect(temps(folder)).toEqual([]);
      expect(await store.get('step', 'small')).toBeUndefined();
    },
    SLOW,
  );

  it('keeps the temp file of a writer that is still alive, and of another machine until it is abandoned', async () => {
    const dir = cache.dir();
    const folder = join(dir, 'step');
    await new CacheStore({ dir }).set('step', 'k', { output: 1, metrics: [], artifacts: [] });
    const here = createHash('sha256').update(hostname()).digest('hex').slice(0, 6);
    const other = here === 'ffffff' ? 'eeeeee' : 'ffffff';
    // The parent of this test process is alive: its write may still be renamed into place.
    const live = `.k.msgpack.${here}-${process.ppid}-0-1-0123abcd.tmp`;
    const remote = `.k.msgpack.${other}-1-0-1-0123abcd.tmp`;
    const abandoned = `.j.msgpack.${other}-1-0-2-0123abcd.tmp`;
    for (const name of [live, remote, abandoned]) writeFileSync(join(folder, name), 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(join(folder, abandoned), twoHoursAgo, twoHoursAgo);

    expect(await new CacheStore({ dir }).sweepTemps()).toBe(1);
    expect(temps(folder).sort()).toEqual([live, remote].sort());
  });
});
