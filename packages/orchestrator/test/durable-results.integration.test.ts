/*
 * Fault injection with real processes (issue #12 points 1, 2, 4, 7, 8): a child runs a small
 * experiment on the built packages with a preload (fixtures/kill-at-op.cjs) that counts every fs
 * operation touching the results root and SIGKILLs the child at operation K. For every K of a
 * run's save, a fresh process then resumes; its metrics must equal an uninterrupted run's.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { latestVersionDir, readStoredRun } from '@crystallize/orchestrator/internal';
import { tempDir } from './helpers.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const script = join(fixtures, 'durable-run.mjs');
const preload = resolve(fixtures, 'kill-at-op.cjs');
const SLOW = 600_000;

interface Outcome {
  readonly ok: boolean;
  readonly dir: string;
  readonly metrics: Record<string, Record<string, unknown[]>>;
}

interface Ended {
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function runChild(env: Record<string, string>, killing: boolean): Promise<Ended> {
  const args = killing ? ['--require', preload, script] : [script];
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((res) => proc.on('close', (code, signal) => res({ code, signal, out, err })));
}

function outcomeOf(ended: Ended): Outcome {
  const last = ended.out.trim().split('\n').pop() ?? '';
  if (ended.code !== 0 || !last.startsWith('{'))
    throw new Error(`child failed (${ended.code ?? ended.signal}):\n${ended.out}\n${ended.err}`);
  return JSON.parse(last) as Outcome;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

/** Runs `tasks` two at a time (the machine is shared). */
async function pooled<T>(tasks: (() => Promise<T>)[], width = 2): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < tasks.length; i = next++)
        out[i] = await (tasks[i] as () => Promise<T>)();
    }),
  );
  return out;
}

const REPLICATES = '2';
// One journal write per replicate, so a counting run and the killed runs make the same operations
// (lines of quick replicates are otherwise batched by time; the last test covers that).
const STRICT = { CZ_JOURNAL_WINDOW_MS: '0' };

describe('crash-safe results (SIGKILL at every file operation)', () => {
  it(
    'a kill at any file operation of a rerun keeps the previous results readable, and resume then gives the uninterrupted metrics with no temp file left',
    async () => {
      // The previous complete run every killed rerun starts beside.
      const template = tempDir();
      const reference = outcomeOf(
        await runChild({ ...STRICT, CZ_ROOT: template, CZ_REPLICATES: REPLICATES }, false),
      );
      expect(reference.ok).toBe(true);
      // A counting run: how many file operations a rerun makes under the results root.
      const counting = tempDir();
      cpSync(template, counting, { recursive: true });
      const countFile = join(counting, 'ops.count');
      outcomeOf(
        await runChild(
          {
            ...STRICT,
            CZ_ROOT: counting,
            CZ_REPLICATES: REPLICATES,
            CZ_KILL_ROOT: join(counting, 'dur'),
            CZ_COUNT_FILE: countFile,
          },
          true,
        ),
      );
      const total = Number(readFileSync(countFile, 'utf8'));
      expect(total).toBeGreaterThan(20);
      const problems = await pooled(
        Array.from({ length: total }, (_, i) => i + 1).map((k) => async (): Promise<string[]> => {
          const root = tempDir();
          cpSync(template, root, { recursive: true });
          const env = { ...STRICT, CZ_ROOT: root, CZ_REPLICATES: REPLICATES };
          const killed = await runChild(
            { ...env, CZ_KILL_ROOT: join(root, 'dur'), CZ_KILL_AT: String(k) },
            true,
          );
          const found: string[] = [];
          if (killed.signal !== 'SIGKILL') found.push(`K=${k}: not killed (${killed.code})`);
          // Whatever the instant, a reader sees complete results (the previous run's or the new).
          const readable = latestVersionDir(join(root, 'dur'));
          const stored = readable ? readStoredRun(readable) : undefined;
          if (
            JSON.stringify(stored?.conditions['baseline']?.metrics) !==
            JSON.stringify(reference.metrics['baseline'])
          )
            found.push(`K=${k}: no complete results readable after the kill (${readable})`);
          const resumed = outcomeOf(await runChild({ ...env, CZ_STRATEGY: 'resume' }, false));
          if (JSON.stringify(resumed.metrics) !== JSON.stringify(reference.metrics))
            found.push(`K=${k}: resumed metrics ${JSON.stringify(resumed.metrics)}`);
          if (resumed.dir !== join(root, 'dur', 'v0')) found.push(`K=${k}: dir ${resumed.dir}`);
          const left = filesUnder(root).filter(
            (f) => f.endsWith('.tmp') || /(^|\/)\.v0\.(next|prev)$/.test(f),
          );
          if (left.length) found.push(`K=${k}: left behind ${left.join(', ')}`);
          const after = readStoredRun(join(root, 'dur', 'v0'));
          if (!after || !existsSync(join(root, 'dur', 'v0', 'a', '.crystallize_complete')))
            found.push(`K=${k}: v0 not complete after resume`);
          return found;
        }),
      );
      expect(problems.flat()).toEqual([]);
    },
    SLOW,
  );

  it(
    'a kill mid-run (after some replicates) makes resume compute only the missing replicates',
    async () => {
      // "Random" moments, drawn once from a fixed seed so a failure reproduces.
      let s = 12345;
      const draw = (n: number): number => {
        s = (s * 1103515245 + 12345) % 2 ** 31;
        return 1 + (s % n);
      };
      const replicates = 8;
      const reference = outcomeOf(
        await runChild({ CZ_ROOT: tempDir(), CZ_REPLICATES: String(replicates) }, false),
      );
      for (const after of [draw(replicates - 1), draw(replicates - 1), draw(replicates - 1)]) {
        const root = tempDir();
        const env = { ...STRICT, CZ_ROOT: root, CZ_REPLICATES: String(replicates) };
        const killed = await runChild(
          {
            ...env,
            CZ_KILL_ROOT: join(root, 'dur'),
            CZ_KILL_AFTER_JOURNAL: String(after),
            CZ_TRACE: join(root, 'killed.trace'),
          },
          true,
        );
        expect(killed.signal).toBe('SIGKILL');
        const trace = join(root, 'resumed.trace');
        const resumed = outcomeOf(
          await runChild({ ...env, CZ_STRATEGY: 'resume', CZ_TRACE: trace }, false),
        );
        expect(resumed.metrics).toEqual(reference.metrics);
        const ran = readFileSync(trace, 'utf8').split('\n').filter(Boolean).sort();
        const missing = Array.from({ length: replicates - after }, (_, i) => i + after)
          .flatMap((r) => [`a:${r}`, `baseline:${r}`])
          .sort();
        expect(ran).toEqual(missing);
      }
    },
    SLOW,
  );

  it(
    'with journal lines batched (the default), a kill mid-run makes resume compute exactly the replicates whose lines were not written',
    async () => {
      const replicates = 12;
      const reference = outcomeOf(
        await runChild({ CZ_ROOT: tempDir(), CZ_REPLICATES: String(replicates) }, false),
      );
      for (const after of [1, 2]) {
        const root = tempDir();
        const env = { CZ_ROOT: root, CZ_REPLICATES: String(replicates) };
        const killed = await runChild(
          { ...env, CZ_KILL_ROOT: join(root, 'dur'), CZ_KILL_AFTER_JOURNAL: String(after) },
          true,
        );
        expect(killed.signal).toBe('SIGKILL');
        // What the kill left: each intact journal line names a replicate and its two conditions.
        const journal = readFileSync(join(root, 'dur', '.v0.next', 'journal.jsonl'), 'utf8');
        const written = new Set(
          journal
            .split('\n')
            .filter(Boolean)
            .map((line) => (JSON.parse(line.slice(9)) as { replicate: number }).replicate),
        );
        expect(written.size).toBeGreaterThanOrEqual(after);
        const trace = join(root, 'resumed.trace');
        const resumed = outcomeOf(
          await runChild({ ...env, CZ_STRATEGY: 'resume', CZ_TRACE: trace }, false),
        );
        expect(resumed.metrics).toEqual(reference.metrics);
        const ran = existsSync(trace)
          ? readFileSync(trace, 'utf8').split('\n').filter(Boolean).sort()
          : [];
        const missing = Array.from({ length: replicates }, (_, r) => r)
          .filter((r) => !written.has(r))
          .flatMap((r) => [`a:${r}`, `baseline:${r}`])
          .sort();
        expect(ran).toEqual(missing);
      }
    },
    SLOW,
  );
});
