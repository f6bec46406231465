/*
 * The code cache: what parsing a step's source yields for its fingerprint, kept on disk between
 * processes. Each test runs fresh `node` processes against the built core with the cache in a
 * temp folder, and checks what a user relies on: the fingerprint is the same with the cache, from
 * it, and without it; changed code never comes from it; a damaged entry is parsed again; a
 * folder that cannot be written costs nothing but the parse; two processes filling it at once
 * leave it intact.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const builtCore = resolve(here, '../../dist/index.js');
const roots: string[] = [];

afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

const core = JSON.stringify(pathToFileURL(builtCore).href);

/**
 * A small ES module project whose step reads, at module level, a helper, a constant, a regular
 * expression and a bigint.
 */
function project(gain = 2): string {
  if (!existsSync(builtCore)) {
    throw new Error(`${builtCore} is missing: run \`sh scripts/pnpm.sh run build\` before jest.`);
  }
  const dir = tempDir('cz-code-cache-project-');
  writeFileSync(
    join(dir, 'helper.js'),
    'export function transform(x) { return x + 1; }\nexport const other = 1;\n',
  );
  writeFileSync(
    join(dir, 'steps.js'),
    [
      `import { PipelineStep, Step } from ${core};`,
      "import { transform } from './helper.js';",
      `const GAIN = ${gain};`,
      // Literal values JSON has no type for: the tree read back must hold them as they are.
      'const PATTERN = /a+b/giu;',
      'const BIG = 12345678901234567890n;',
      'export class Scale extends Step {',
      '  run(xs) { return xs.map((x) => transform(x) * GAIN + (PATTERN.test("ab") ? 1 : 0) + Number(BIG % 7n)); }',
      '}',
      "PipelineStep({ cacheable: true })(Scale.prototype, 'run');",
      'export const make = () => new Scale();',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'print.mjs'),
    [
      "import { createRequire } from 'node:module';",
      "const m = await import('./steps.js');",
      'const fingerprint = m.make().fingerprint;',
      'const acorn = Object.keys(createRequire(import.meta.url).cache).some((f) => /[\\\\/]acorn[\\\\/]/.test(f));',
      'process.stdout.write(JSON.stringify({ fingerprint, acorn }));',
    ].join('\n'),
  );
  return dir;
}

interface Printed {
  readonly fingerprint: string;
  /** Whether the process loaded the parser (false: every parse came from the cache). */
  readonly acorn: boolean;
}

function fingerprintIn(dir: string, cache: string): Printed {
  return JSON.parse(
    execFileSync(process.execPath, [join(dir, 'print.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, CRYSTALLIZE_CODE_CACHE: cache, CRYSTALLIZE_LOG_LEVEL: 'silent' },
    }),
  ) as Printed;
}

/** Every entry file of a cache folder. */
function entries(cache: string): string[] {
  if (!existsSync(cache)) return [];
  return readdirSync(cache, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(cache, d.name)).map((f) => join(cache, d.name, f)));
}

describe('code cache (fresh processes)', () => {
  it('gives the fingerprint computed without it, and a second process takes every parse from it', () => {
    const dir = project();
    const cache = join(tempDir('cz-code-cache-'), 'code');
    const uncached = fingerprintIn(dir, 'off');
    expect(uncached.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(uncached.acorn).toBe(true);
    expect(entries(cache)).toEqual([]);

    const filling = fingerprintIn(dir, cache);
    expect(filling).toEqual({ fingerprint: uncached.fingerprint, acorn: true });
    const written = entries(cache);
    // The step's and its base class's normalised source, their runtime trees, the module files.
    expect(written.length).toBeGreaterThanOrEqual(3);
    expect(written.every((f) => f.endsWith('.bin'))).toBe(true);

    expect(fingerprintIn(dir, cache)).toEqual({ fingerprint: uncached.fingerprint, acorn: false });
    expect(entries(cache).sort()).toEqual(written.sort());
  });

  it('never serves changed code from the cache: a changed constant the step reads changes the fingerprint', () => {
    const cache = join(tempDir('cz-code-cache-'), 'code');
    const before = fingerprintIn(project(2), cache);
    const changed = project(3);
    const after = fingerprintIn(changed, cache);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(after.fingerprint).toBe(fingerprintIn(changed, 'off').fingerprint);
    // Unchanged code (the helper, the step's own text) still came from the cache; the changed
    // module was parsed.
    expect(after.acorn).toBe(true);
  });

  it.each([
    [
      'a flipped byte',
      (b: Buffer) => Buffer.from(b.map((x, i) => (i === b.length - 5 ? x ^ 1 : x))),
    ],
    ['a torn write (half the file)', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['an empty file', () => Buffer.alloc(0)],
  ])(
    'parses again, and rewrites, an entry damaged by %s: the fingerprint never changes',
    (_, damage) => {
      const dir = project();
      const cache = join(tempDir('cz-code-cache-'), 'code');
      const expected = fingerprintIn(dir, 'off').fingerprint;
      fingerprintIn(dir, cache);
      const files = entries(cache);
      const intact = files.map((f) => readFileSync(f));
      for (const f of files) writeFileSync(f, damage(readFileSync(f)));

      expect(fingerprintIn(dir, cache)).toEqual({ fingerprint: expected, acorn: true });
      // Rewritten whole: the next process needs no parser.
      expect(files.map((f) => readFileSync(f))).toEqual(intact);
      expect(fingerprintIn(dir, cache)).toEqual({ fingerprint: expected, acorn: false });
    },
  );

  it('does not take an intact entry found at another address (a copied or misplaced file)', () => {
    const dir = project();
    const cache = join(tempDir('cz-code-cache-'), 'code');
    const expected = fingerprintIn(dir, 'off').fingerprint;
    fingerprintIn(dir, cache);
    const files = entries(cache);
    const bytes = files.map((f) => readFileSync(f));
    // Every entry now holds the next one's (intact, checksummed) content.
    files.forEach((f, i) => writeFileSync(f, bytes[(i + 1) % bytes.length]!));

    expect(fingerprintIn(dir, cache)).toEqual({ fingerprint: expected, acorn: true });
    expect(files.map((f) => readFileSync(f))).toEqual(bytes);
  });

  it('costs only the parse when its folder cannot be written', () => {
    const dir = project();
    const blocker = join(tempDir('cz-code-cache-'), 'a-file');
    writeFileSync(blocker, 'not a folder');
    const expected = fingerprintIn(dir, 'off').fingerprint;
    // The cache folder would be inside a regular file: every write fails.
    expect(fingerprintIn(dir, join(blocker, 'code'))).toEqual({
      fingerprint: expected,
      acorn: true,
    });
    expect(readFileSync(blocker, 'utf8')).toBe('not a folder');
  });

  it('is left intact by two processes filling it at once (no temporary files, every entry readable)', async () => {
    const dir = project();
    const cache = join(tempDir('cz-code-cache-'), 'code');
    const expected = fingerprintIn(dir, 'off').fingerprint;
    const run = (): Promise<string> =>
      new Promise((done, fail) => {
        const child = spawn(process.execPath, [join(dir, 'print.mjs')], {
          env: { ...process.env, CRYSTALLIZE_CODE_CACHE: cache, CRYSTALLIZE_LOG_LEVEL: 'silent' },
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', fail);
        child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`exit ${code}`))));
      });
    const outs = await Promise.all([run(), run(), run(), run()]);
    for (const out of outs) expect((JSON.parse(out) as Printed).fingerprint).toBe(expected);
    expect(entries(cache).filter((f) => !f.endsWith('.bin'))).toEqual([]);
    expect(fingerprintIn(dir, cache)).toEqual({ fingerprint: expected, acorn: false });
  });

  it('holds only whole, intact entries after a process writing it is killed (SIGKILL) inside a write or before its rename', () => {
    const cache = join(tempDir('cz-code-cache-'), 'code');
    const dir = tempDir('cz-code-cache-writer-');
    // Kills the process at its Kth file write (after writing half the bytes) or its Kth rename
    // (before renaming), whatever file that is.
    writeFileSync(
      join(dir, 'kill-at.cjs'),
      [
        "const fs = require('node:fs');",
        "const { syncBuiltinESMExports } = require('node:module');",
        "const [op, k] = process.env.CZ_KILL_AT.split(':');",
        'let n = 0;',
        'const { writeFileSync, renameSync } = fs;',
        'const die = () => process.kill(process.pid, "SIGKILL");',
        "if (op === 'write') fs.writeFileSync = (path, data, ...rest) => {",
        '  if (++n === Number(k)) { const b = Buffer.from(data); writeFileSync(path, b.subarray(0, b.length >> 1)); die(); }',
        '  return writeFileSync(path, data, ...rest);',
        '};',
        "if (op === 'rename') fs.renameSync = (from, to) => { if (++n === Number(k)) die(); return renameSync(from, to); };",
        'syncBuiltinESMExports();',
      ].join('\n'),
    );
    // Fingerprints new code (classes made from text) until it is killed.
    writeFileSync(
      join(dir, 'writer.mjs'),
      [
        `const { normalizeSource } = await import(${JSON.stringify(pathToFileURL(resolve(here, '../../dist/internal.js')).href)});`,
        'for (let i = 0; i < 1000; i++) normalizeSource(`class C${i} { run(x) { return x * ${i}; } }`);',
      ].join('\n'),
    );
    for (const at of [
      'write:1',
      'write:2',
      'write:3',
      'write:6',
      'rename:1',
      'rename:2',
      'rename:5',
    ]) {
      const run = spawnSync(
        process.execPath,
        ['--require', join(dir, 'kill-at.cjs'), join(dir, 'writer.mjs')],
        {
          env: { ...process.env, CRYSTALLIZE_CODE_CACHE: cache, CZ_KILL_AT: at },
        },
      );
      expect([at, run.signal]).toEqual([at, 'SIGKILL']);
    }
    const files = entries(cache);
    const whole = files.filter((f) => f.endsWith('.bin'));
    expect(whole.length).toBeGreaterThan(0);
    // Every entry a reader can find is whole: its checksum holds and it names its own address.
    for (const f of whole) {
      const bytes = readFileSync(f);
      const payload = bytes.subarray(32);
      expect(createHash('sha256').update(payload).digest().equals(bytes.subarray(0, 32))).toBe(
        true,
      );
      const key = (JSON.parse(payload.toString('utf8')) as { key: string }).key;
      expect(`${basename(dirname(f))}${basename(f, '.bin')}`).toBe(key);
    }
    // What the kills left besides: temporary files, never read (removed after 30 days).
    const temporary = files.filter((f) => !f.endsWith('.bin'));
    expect(temporary.length).toBeGreaterThan(0);
    expect(temporary.every((f) => f.endsWith('.tmp'))).toBe(true);
  });

  it('removes entries not written for 30 days, at most once a day', () => {
    const dir = project();
    const cache = join(tempDir('cz-code-cache-'), 'code');
    mkdirSync(join(cache, 'ab'), { recursive: true });
    const old = join(cache, 'ab', 'old-entry.bin');
    const recent = join(cache, 'ab', 'recent-entry.bin');
    writeFileSync(old, 'x');
    writeFileSync(recent, 'y');
    const days = (n: number): number => (Date.now() - n * 24 * 3600 * 1000) / 1000;
    utimesSync(old, days(31), days(31));
    utimesSync(recent, days(29), days(29));
    // Pruned 2 hours ago: not again today.
    writeFileSync(join(cache, 'pruned'), '');
    utimesSync(join(cache, 'pruned'), days(1 / 12), days(1 / 12));
    fingerprintIn(dir, cache);
    expect(existsSync(old)).toBe(true);

    utimesSync(join(cache, 'pruned'), days(2), days(2));
    fingerprintIn(project(5), cache); // new code: an entry is written, then the folder pruned
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(Date.now() - statSync(join(cache, 'pruned')).mtimeMs).toBeLessThan(3600 * 1000);
  });
});
