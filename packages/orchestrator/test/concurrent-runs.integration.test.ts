import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pipelineStep } from '@crystallize/core';
import { ArtifactPlugin, Experiment, LoggingPlugin } from '@crystallize/orchestrator';
import { readStoredRun } from '@crystallize/orchestrator/internal';
import { tempDir } from './helpers.js';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const fixture = join(import.meta.dirname, 'fixtures', 'concurrent-run.mjs');
const SLOW = 60_000;

interface Outcome {
  readonly dir?: string;
  readonly ok?: boolean;
  readonly error?: string;
  readonly message?: string;
}

interface Child {
  readonly proc: ChildProcess;
  /** Resolves when the child waits for the go file (CZ_GO). */
  readonly ready: Promise<void>;
  /** Resolves with the time (ms) the run held its folder. */
  readonly started: Promise<number>;
  /** Resolves with the time (ms) the run finished, still holding its folder. */
  readonly finished: Promise<number>;
  readonly done: Promise<Outcome>;
}

function start(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [fixture], {
    env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let onStart: (at: number) => void = () => undefined;
  const started = new Promise<number>((r) => (onStart = r));
  let onFinish: (at: number) => void = () => undefined;
  const finished = new Promise<number>((r) => (onFinish = r));
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (onReady = r));
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready\n')) onReady();
    const m = /started (\d+) /.exec(out);
    if (m) onStart(Number(m[1]));
    const f = /finished (\d+)\n/.exec(out);
    if (f) onFinish(Number(f[1]));
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<Outcome>((res, rej) =>
    proc.on('close', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (last.startsWith('{')) res(JSON.parse(last) as Outcome);
      else rej(new Error(`child ended (${code ?? signal}) without an outcome:\n${out}\n${err}`));
    }),
  );
  return { proc, ready, started, finished, done };
}

/** Every stored condition of a run folder: its tag metrics and replicate count. */
function storedTags(dir: string): { description: string; tags: Record<string, number[]> } {
  const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as {
    description: string;
  };
  const tags: Record<string, number[]> = {};
  for (const c of ['baseline', 'other']) {
    const results = JSON.parse(readFileSync(join(dir, c, 'results.json'), 'utf8')) as {
      metrics: { tag: number[] };
    };
    tags[c] = results.metrics.tag;
    expect(existsSync(join(dir, c, '.crystallize_complete'))).toBe(true);
    // Provenance of each replicate of this run (from its journal), none of another.
    const provenance = readStoredRun(dir)?.conditions[c]?.provenance ?? {};
    expect(Object.keys(provenance)).toHaveLength(3);
    const tag = results.metrics.tag[0];
    for (const records of Object.values(provenance)) {
      const tags = records.flatMap((r) => r.ctxChanges.metrics).filter((m) => m.name === 'tag');
      expect(tags.map((m) => m.value)).toEqual([tag]);
    }
  }
  return { description: metadata.description, tags };
}

const lockFiles = (expDir: string): string[] =>
  readdirSync(expDir).filter((f) => f.includes('.lock'));

describe('concurrent runs into one results root (issue #12 point 3)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'pipe' });
  }, 120_000);

  it(
    'concurrent versioned runs started at the same instant get distinct versions, each complete and unmixed',
    async () => {
      const root = tempDir();
      const go = join(root, 'go');
      const tags = [1, 2, 3];
      const env = { CZ_ROOT: root, CZ_VERSIONED: '1', CZ_DELAY: '30', CZ_GO: go };
      const children = tags.map((t) => start({ ...env, CZ_TAG: String(t) }));
      await Promise.all(children.map((c) => c.ready));
      writeFileSync(go, '');
      const outcomes = await Promise.all(children.map((c) => c.done));
      for (const o of outcomes) expect(o.error).toBeUndefined();
      expect(outcomes.map((o) => o.dir).sort()).toEqual(
        [0, 1, 2].map((v) => join(root, 'shared', `v${v}`)),
      );
      outcomes.forEach((o, i) => {
        const tag = tags[i]!;
        const stored = storedTags(o.dir!);
        expect(stored.description).toBe(`tag ${tag}`);
        expect(stored.tags).toEqual({ baseline: [tag, tag, tag], other: [tag, tag, tag] });
      });
      expect(lockFiles(join(root, 'shared'))).toEqual([]);
    },
    SLOW,
  );

  it(
    'version retention leaves alone a version another live process is still writing',
    async () => {
      const root = tempDir();
      const expDir = join(root, 'shared');
      mkdirSync(join(expDir, 'v0', 'replicate_0'), { recursive: true });
      writeFileSync(join(expDir, 'v0', 'replicate_0', 'half-written.bin'), 'x');
      // This test process is alive: its lock marks v0 as a run in progress.
      const lock = join(expDir, '.v0.lock');
      writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'now' }));
      const env = { CZ_ROOT: root, CZ_VERSIONED: '1', CZ_RETENTION: '1' };
      expect((await start({ ...env, CZ_TAG: '1' }).done).dir).toBe(join(expDir, 'v1'));
      expect((await start({ ...env, CZ_TAG: '2' }).done).dir).toBe(join(expDir, 'v2'));
      expect(existsSync(join(expDir, 'v0', 'replicate_0', 'half-written.bin'))).toBe(true);
      // v1's run is over: retention reduced it to metrics as usual.
      expect(existsSync(join(expDir, 'v1', 'baseline', 'results.json'))).toBe(true);
      expect(existsSync(join(expDir, 'v1', 'baseline', 'provenance.jsonl'))).toBe(false);
      expect(readFileSync(lock, 'utf8')).toContain(String(process.pid));
    },
    SLOW,
  );

  it(
    'a second unversioned run waits for the first, and the stored results are exactly one run',
    async () => {
      const root = tempDir();
      const env = { CZ_ROOT: root, CZ_DELAY: '100', CZ_LOCK_WAIT: '30000' };
      const a = start({ ...env, CZ_TAG: '1' });
      await a.started;
      const b = start({ ...env, CZ_TAG: '2' });
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra.error).toBeUndefined();
      expect(rb.error).toBeUndefined();
      // The second held the folder only once the first had finished with it.
      expect(await b.started).toBeGreaterThanOrEqual(await a.finished);
      // The second started after the first finished: the folder is wholly the second run's.
      const stored = storedTags(join(root, 'shared', 'v0'));
      expect(stored.description).toBe('tag 2');
      expect(stored.tags).toEqual({ baseline: [2, 2, 2], other: [2, 2, 2] });
      expect(lockFiles(join(root, 'shared'))).toEqual([]);
    },
    SLOW,
  );

  it(
    'a second unversioned run refuses with a RunLockedError naming the other process, and leaves its files alone',
    async () => {
      const root = tempDir();
      const env = { CZ_ROOT: root, CZ_DELAY: '300', CZ_LOCK_WAIT: '0' };
      const a = start({ ...env, CZ_TAG: '1' });
      await a.started;
      const b = start({ ...env, CZ_TAG: '2' });
      const rb = await b.done;
      expect(rb.error).toBe('RunLockedError');
      expect(rb.message).toContain(`process ${a.proc.pid} on host ${hostname()}`);
      expect(rb.message).toMatch(/started \d{4}-\d\d-\d\dT/);
      expect(rb.message).toMatch(/versioned: true/);
      const ra = await a.done;
      expect(ra.error).toBeUndefined();
      const stored = storedTags(join(root, 'shared', 'v0'));
      expect(stored.description).toBe('tag 1');
      expect(stored.tags).toEqual({ baseline: [1, 1, 1], other: [1, 1, 1] });
    },
    SLOW,
  );

  it(
    'a stale lock left by a SIGKILLed run is taken over by the next run',
    async () => {
      const root = tempDir();
      const env = { CZ_ROOT: root, CZ_DELAY: '5000', CZ_LOCK_WAIT: '0' };
      const a = start({ ...env, CZ_TAG: '1' });
      await a.started;
      const lock = join(root, 'shared', '.v0.lock');
      expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: a.proc.pid });
      a.proc.kill('SIGKILL');
      await a.done.catch(() => undefined);
      expect(existsSync(lock)).toBe(true); // a killed process releases nothing
      const b = start({ ...env, CZ_TAG: '2', CZ_DELAY: '0' });
      const rb = await b.done;
      expect(rb.error).toBeUndefined();
      const stored = storedTags(join(root, 'shared', 'v0'));
      expect(stored.tags).toEqual({ baseline: [2, 2, 2], other: [2, 2, 2] });
      expect(lockFiles(join(root, 'shared'))).toEqual([]);
    },
    SLOW,
  );

  it(
    'a lock held by a live process on another host is never taken over',
    async () => {
      const root = tempDir();
      mkdirSync(join(root, 'shared'), { recursive: true });
      const lock = join(root, 'shared', '.v0.lock');
      const holder = { pid: 999999, host: 'elsewhere', startedAt: '2026-01-01T00:00:00.000Z' };
      writeFileSync(lock, JSON.stringify(holder));
      const rb = await start({ CZ_ROOT: root, CZ_TAG: '2', CZ_LOCK_WAIT: '100' }).done;
      expect(rb.error).toBe('RunLockedError');
      expect(rb.message).toContain(
        'process 999999 on host elsewhere (started 2026-01-01T00:00:00.000Z)',
      );
      expect(rb.message).toContain(`delete ${lock}`);
      expect(JSON.parse(readFileSync(lock, 'utf8'))).toEqual(holder);
      expect(existsSync(join(root, 'shared', 'v0'))).toBe(false);
    },
    SLOW,
  );

  it(
    'two runs in one process on the same unversioned folder: the second refuses at once, or waits its turn',
    async () => {
      const root = tempDir();
      const slow = pipelineStep({ name: 'slow' }, async (x: number) => {
        await new Promise((r) => setTimeout(r, 200));
        return x;
      });
      const exp = (lockWaitMs: number): Experiment =>
        new Experiment({
          name: 'same-process',
          datasource: () => 1,
          pipeline: [slow()],
          plugins: [
            new ArtifactPlugin({ rootDir: root, lockWaitMs }),
            new LoggingPlugin({ level: 'silent' }),
          ],
          cache: false,
        });
      const first = exp(0).run({ replicates: 1 });
      const refused = exp(0).run({ replicates: 1 });
      await expect(refused).rejects.toMatchObject({ name: 'RunLockedError' });
      await expect(refused).rejects.toThrow(`process ${process.pid} on host ${hostname()}`);
      expect((await first).ok).toBe(true);
      const [a, b] = await Promise.all([
        exp(30_000).run({ replicates: 1 }),
        exp(30_000).run({ replicates: 1 }),
      ]);
      expect([a.ok, b.ok]).toEqual([true, true]);
      expect(lockFiles(join(root, 'same-process'))).toEqual([]);
    },
    SLOW,
  );
});
