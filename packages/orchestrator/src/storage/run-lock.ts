import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CrystallizeError } from '@crystallize/core';
import { versionDir } from './run-layout.js';

/*
 * Two processes on one results root (issue #12 point 3). A version folder is owned by the run
 * holding its lock file `<experiment>/.v<N>.lock` (JSON: pid, host, startedAt), created by
 * exclusive creation: written complete under a unique temp name, then hard-linked to the lock
 * name (`link` fails with EEXIST when it exists, so no reader ever sees a half-written lock).
 * A lock whose process is gone (same host, `kill(pid, 0)` says ESRCH) is stale and taken over:
 * renamed away (only one taker's rename succeeds), then created again.
 */

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Who holds a run folder's lock. */
export interface RunLockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

/** Another live process holds the run folder this run needs (waited `waitedMs` for it). */
export class RunLockedError extends CrystallizeError {
  readonly holder: RunLockHolder | undefined;
  readonly lockFile: string;
  constructor(lockFile: string, holder: RunLockHolder | undefined, waitedMs: number) {
    const who = holder
      ? `process ${holder.pid} on host ${holder.host} (started ${holder.startedAt})`
      : 'another process (its lock file could not be read)';
    super(
      `Results folder ${lockFile.replace(/[\\/]\.(v\d+)\.lock$/, '/$1')} is in use by ${who}; ` +
        `waited ${waitedMs} ms. Fix: wait for that run to finish, use ArtifactPlugin({ versioned: true }) ` +
        `so each run gets its own version, raise ArtifactPlugin({ lockWaitMs }), or, if that ` +
        `process is gone (another host), delete ${lockFile}.`,
    );
    this.holder = holder;
    this.lockFile = lockFile;
  }
}

/** A held lock: `release()` removes it (idempotent; also done at process exit). */
export interface RunLock {
  readonly file: string;
  release(): void;
}

export function lockFileOf(experimentDir: string, version: number): string {
  return join(experimentDir, `.v${version}.lock`);
}

function readHolder(file: string): RunLockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunLockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') {
      return { pid: h.pid, host: h.host, startedAt: String(h.startedAt) };
    }
  } catch {
    // unreadable or gone: handled by the caller
  }
  return undefined;
}

function isAlive(holder: RunLockHolder): boolean {
  if (holder.host !== hostname()) return true; // cannot tell: assume it runs
  // Our own pid on a lock this process does not hold: an earlier process's, pid reused.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const held = new Set<string>();
let exitHookSet = false;
function releaseAllAtExit(): void {
  for (const f of held) rmSync(f, { force: true });
}

/** One attempt: the lock, or its current holder (undefined holder: unreadable). */
export function tryLock(file: string): RunLock | { holder: RunLockHolder | undefined } {
  const me: RunLockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  };
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // A cleaner (removeStaleLockTemps) may have taken an unreadable temp file: write anew.
        if (!existsSync(tmp)) writeFileSync(tmp, JSON.stringify(me));
        linkSync(tmp, file);
        held.add(file);
        if (!exitHookSet) {
          process.once('exit', releaseAllAtExit);
          exitHookSet = true;
        }
        return {
          file,
          release: () => {
            if (held.delete(file)) rmSync(file, { force: true });
          },
        };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue; // our temp file was cleaned away: write it again
        if (code !== 'EEXIST') throw e;
      }
      const holder = readHolder(file);
      if (!holder || held.has(file) || isAlive(holder)) return { holder };
      // Stale: take it over. Only one process's rename of it succeeds; the others retry.
      const aside = `${file}.${randomBytes(6).toString('hex')}.stale`;
      try {
        renameSync(file, aside);
        const moved = readHolder(aside);
        if (moved && (moved.pid !== holder.pid || moved.startedAt !== holder.startedAt)) {
          // Another taker replaced the stale lock between our read and our rename: put the
          // live lock back (link: unless yet another run already holds the name).
          try {
            linkSync(aside, file);
          } catch {
            // the name is taken again; that holder rules
          }
        }
      } catch {
        // someone else took it over first
      }
      cleanupStale(file);
    }
    return { holder: readHolder(file) };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Removes the temp files lock takers left when they died between writing and linking them
 * (`.v<N>.lock.<hex>.tmp` in the experiment folder): those naming a process that is gone, and
 * unreadable ones (a taker killed mid-write; a live taker whose temp file goes writes it again).
 */
export function removeStaleLockTemps(experimentDir: string): void {
  let names: string[];
  try {
    names = readdirSync(experimentDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!/^\.v\d+\.lock\.[0-9a-f]+\.tmp$/.test(name)) continue;
    const path = join(experimentDir, name);
    const holder = readHolder(path);
    if (holder === undefined || !isAlive(holder)) rmSync(path, { force: true });
  }
}

function cleanupStale(file: string): void {
  // remove renamed-away stale locks next to it
  const dir = join(file, '..');
  const base = file.slice(dir.length + 1);
  try {
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`${base}.`) && name.endsWith('.stale')) {
        rmSync(join(dir, name), { force: true });
      }
    }
  } catch {
    // best effort
  }
}

/** True when a live process (or one on another host) holds the lock `file`. */
export function isLockHeld(file: string): boolean {
  if (held.has(file)) return true;
  const holder = readHolder(file);
  return holder !== undefined && isAlive(holder);
}

/** Takes the lock of `file`, waiting up to `waitMs` for a live holder, else RunLockedError. */
export async function acquireRunLock(file: string, waitMs: number, pollMs = 50): Promise<RunLock> {
  const start = Date.now();
  for (;;) {
    const got = tryLock(file);
    if ('release' in got) return got;
    const waited = Date.now() - start;
    if (waited >= waitMs) throw new RunLockedError(file, got.holder, waited);
    await sleep(Math.min(pollMs, waitMs - waited));
  }
}

/**
 * A new version folder for a versioned run: `v<N>` created by exclusive `mkdir` (EEXIST: the
 * next N), locked while the run writes it. Never a folder another process created.
 */
export async function allocateVersion(
  experimentDir: string,
  from: number,
): Promise<{ dir: string; lock: RunLock }> {
  mkdirSync(experimentDir, { recursive: true });
  for (let n = from; ; n++) {
    const dir = versionDir(experimentDir, n);
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    const got = tryLock(lockFileOf(experimentDir, n));
    // Just created by us: only a resume of this very folder could hold it; then go on.
    if ('release' in got) return { dir, lock: got };
  }
}
