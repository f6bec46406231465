import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * What parsing source code yields for code fingerprints (syntax trees, normalised source),
 * kept on disk between processes. Parsing is most of a fresh process's first fingerprint
 * (~20 ms: acorn is compiled and runs cold), and every run, CLI command and worker starts
 * fresh. Entries are addressed by the sha256 of the parser (name@version), the reading and
 * the source text itself, so an entry can never be stale: changed code is different text, a
 * different address. Each file holds the sha256 of its payload (JSON, with regular expression and
 * bigint literals tagged) and its own address; a torn,
 * corrupt or misplaced file fails the check and is parsed again (and rewritten). Writes go to a
 * temporary file renamed into place, so a reader never sees half an entry and two processes
 * writing the same entry write the same bytes.
 *
 * Where: `CRYSTALLIZE_CODE_CACHE` (a folder, or `off`), else `$XDG_CACHE_HOME/crystallize/code`,
 * else `~/.cache/crystallize/code`. A folder that cannot be written only costs the parse.
 */

/** Bumped when what is stored, or how it is derived, changes. */
const FORMAT = 1;
/** Entries not written for this long are removed (at most once a day). */
const KEEP_MS = 30 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 24 * 3600 * 1000;

let folder: string | null | undefined;

function cacheFolder(): string | null {
  if (folder !== undefined) return folder;
  const env = process.env['CRYSTALLIZE_CODE_CACHE'];
  if (env !== undefined && /^(off|0|false|no)$/i.test(env.trim())) return (folder = null);
  if (env) return (folder = resolve(env));
  try {
    const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
    return (folder = join(base, 'crystallize', 'code'));
  } catch {
    return (folder = null); // no home folder
  }
}

/** @internal For tests: forget the folder chosen, so the environment is read again. */
export function resetCodeCache(): void {
  folder = undefined;
  pruned = false;
}

const versions = new Map<string, string>();

/** `name@version` of a parser package, read from its manifest (without loading the parser). */
export function parserId(name: string): string {
  let id = versions.get(name);
  if (id === undefined) {
    try {
      const manifest = createRequire(import.meta.url).resolve(`${name}/package.json`);
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
      id = `${name}@${String(version)}`;
    } catch {
      id = `${name}@?`;
    }
    versions.set(name, id);
  }
  return id;
}

let pruned = false;

/** Removes entries not written for KEEP_MS, at most once a day (a marker file's time). */
function prune(dir: string): void {
  if (pruned) return;
  pruned = true;
  const marker = join(dir, 'pruned');
  const now = Date.now();
  try {
    if (now - statSync(marker).mtimeMs < PRUNE_EVERY_MS) return;
  } catch {
    // never pruned
  }
  try {
    writeFileSync(marker, '');
    utimesSync(marker, now / 1000, now / 1000);
    for (const sub of readdirSync(dir, { withFileTypes: true })) {
      if (!sub.isDirectory()) continue;
      const path = join(dir, sub.name);
      for (const f of readdirSync(path)) {
        const file = join(path, f);
        if (now - statSync(file).mtimeMs > KEEP_MS) rmSync(file, { force: true });
      }
    }
  } catch {
    // another process pruning, or a folder we cannot write: harmless
  }
}

/*
 * Syntax trees hold regular expressions and bigints (literal values) besides JSON's types: they
 * are written tagged and read back as themselves, so a tree from the cache is the tree the
 * parser gives. (JSON rather than node:v8's serializer: loading node:v8 pulls in Node's streams,
 * ~5 ms of a fresh process.)
 */
const REGEXP = '\u0000cz:regexp';
const BIGINT = '\u0000cz:bigint';

function tag(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { [BIGINT]: value.toString() };
  // By tag, not instanceof: the parser may run in another realm (jest's vm contexts).
  if (Object.prototype.toString.call(value) === '[object RegExp]') {
    const re = value as RegExp;
    return { [REGEXP]: [re.source, re.flags] };
  }
  return value;
}

function untag(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (BIGINT in value) return BigInt((value as Record<string, string>)[BIGINT]!);
  if (REGEXP in value) {
    const [source, flags] = (value as Record<string, [string, string]>)[REGEXP]!;
    return new RegExp(source, flags);
  }
  return value;
}

function sha256(...parts: (string | Uint8Array)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * The value `compute()` derives from `source` read as `reading` (parser id and options), from
 * the cache when an intact entry is there, else computed and stored. `compute` must be a pure
 * function of (`reading`, `source`) and its value plain data: JSON's types, regular
 * expressions and bigints (undefined is read back as null).
 */
export function cachedParse<T>(reading: string, source: string, compute: () => T): T {
  const dir = cacheFolder();
  if (dir === null) return compute();
  const key = sha256(`crystallize-code-cache/${FORMAT}\0${reading}\0`, source).toString('hex');
  const file = join(dir, key.slice(0, 2), `${key.slice(2)}.bin`);
  try {
    const bytes = readFileSync(file);
    const payload = bytes.subarray(32);
    if (bytes.length > 32 && sha256(payload).equals(bytes.subarray(0, 32))) {
      const text = payload.toString('utf8');
      const entry = JSON.parse(text, text.includes('\\u0000cz:') ? untag : undefined) as {
        key?: unknown;
        value?: T;
      };
      if (entry.key === key) return entry.value as T;
    }
  } catch {
    // not there (or unreadable): parsed below
  }
  const value = compute();
  try {
    const payload = Buffer.from(JSON.stringify({ key, value: value ?? null }, tag), 'utf8');
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    mkdirSync(join(dir, key.slice(0, 2)), { recursive: true });
    try {
      writeFileSync(tmp, Buffer.concat([sha256(payload), payload]));
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    prune(dir);
  } catch {
    // a read-only or full disk only costs the parse next time
  }
  return value;
}
