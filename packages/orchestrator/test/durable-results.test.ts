import 'reflect-metadata';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type FrozenContext, Param, PipelineStep, Step, treatment } from '@crystallize/core';
import {
  Artifact,
  ArtifactPlugin,
  AsyncExecution,
  BasePlugin,
  Experiment,
  LoggingPlugin,
  SeedPlugin,
  type ExecutionBackend,
} from '@crystallize/orchestrator';
import { latestVersionDir, readStoredRun } from '@crystallize/orchestrator/internal';
import { tempDir, withoutJournal } from './helpers.js';

/** Step calls per `condition:replicate`, so a test proves which replicates ran. */
const calls: string[] = [];
/** Set by a test: called inside a step (e.g. to look at the folders while a run is going). */
let during: ((ctx: FrozenContext) => void) | undefined;

class Work extends Step<number[], number[]> {
  @Param() note = new Artifact<string>('note.txt');
  @Param() offset = 0;
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    const rep = Number(ctx.get('replicate'));
    calls.push(`${String(ctx.get('condition'))}:${rep}`);
    during?.(ctx);
    if (ctx.get('fail_rep') === rep) throw new Error('planned');
    const shift = ctx.get<number>('shift', 0);
    ctx.metrics.add('sum', data.reduce((a, b) => a + b, 0) + shift + this.offset + rep);
    ctx.metrics.add('draw', ctx.rng.next());
    this.note.write(`rep ${rep} ${String(ctx.get('condition'))}`);
    return data;
  }
}

function exp(
  root: string,
  opts: {
    replicates?: number;
    versioned?: boolean;
    failRep?: number;
    offset?: number;
    plugins?: BasePlugin[];
    execution?: ExecutionBackend;
    journalWindowMs?: number;
  } = {},
): Experiment {
  return new Experiment({
    name: 'dur',
    datasource: () => [1, 2, 3],
    pipeline: [Work.with({ offset: opts.offset ?? 0 })],
    treatments: [
      treatment('a', { shift: 1 }),
      treatment('b', {
        shift: 2,
        ...(opts.failRep !== undefined ? { fail_rep: opts.failRep } : {}),
      }),
    ],
    replicates: opts.replicates ?? 4,
    plugins: [
      ...(opts.plugins ?? []),
      new SeedPlugin({ seed: 11 }),
      new ArtifactPlugin({
        rootDir: root,
        versioned: opts.versioned ?? false,
        ...(opts.journalWindowMs !== undefined ? { journalWindowMs: opts.journalWindowMs } : {}),
      }),
      new LoggingPlugin({ level: 'silent' }),
      ...(opts.execution ? [opts.execution as unknown as BasePlugin] : []),
    ],
    cache: false,
  });
}

const expDir = (root: string): string => join(root, 'dur');
const v0 = (root: string): string => join(root, 'dur', 'v0');
const staging = (root: string): string => join(root, 'dur', '.v0.next');

function journalLines(dir: string): string[] {
  return readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
}

/** Turns a finished v0 into the folder a run killed after `keep` journal lines leaves behind. */
function crashedStagingFrom(root: string, keep: number): void {
  renameSync(v0(root), staging(root));
  for (const name of readdirSync(staging(root))) {
    const p = join(staging(root), name);
    if (statSync(p).isDirectory() && !name.startsWith('replicate_')) rmSync(p, { recursive: true });
  }
  for (const f of ['metadata.json', '_manifest.json', 'hypotheses.json'])
    rmSync(join(staging(root), f), { force: true });
  const lines = journalLines(staging(root));
  writeFileSync(join(staging(root), 'journal.jsonl'), lines.slice(0, keep).join('\n') + '\n');
}

interface Entry {
  replicate: number;
  conditions: { condition: string; seed: number }[];
}

/** Rewrites every journal line (with a valid checksum again). */
function rewriteJournal(path: string, change: (entry: Entry) => Entry): void {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      // Written back with the other checksum form the reader accepts (12 hex digits of SHA-1).
      const json = JSON.stringify(change(JSON.parse(l.slice(l.indexOf(' ') + 1)) as Entry));
      return `${createHash('sha1').update(json).digest('hex').slice(0, 12)} ${json}`;
    });
  writeFileSync(path, lines.join('\n') + '\n');
}

beforeEach(() => {
  calls.length = 0;
  during = undefined;
});

describe('run journal', () => {
  it('journals every replicate outcome as it arrives: one checksummed line per replicate', async () => {
    const root = tempDir();
    const seen: number[] = [];
    during = (ctx) => {
      // While replicate r runs, the lines of the replicates before it are already on disk.
      if (ctx.get('condition') === 'baseline')
        seen.push(
          existsSync(join(staging(root), 'journal.jsonl')) ? journalLines(staging(root)).length : 0,
        );
    };
    await exp(root, { journalWindowMs: 0 }).run();
    expect(seen).toEqual([0, 1, 2, 3]);
    const lines = journalLines(v0(root));
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]{8} \{/); // CRC-32, then the JSON
    const first = JSON.parse(lines[0]!.slice(9)) as {
      replicate: number;
      conditions: { condition: string; fingerprint: string; seed: number }[];
    };
    expect(first.replicate).toBe(0);
    expect(first.conditions.map((c) => c.condition)).toEqual(['baseline', 'a', 'b']);
    expect(first.conditions.every((c) => c.fingerprint.length > 0)).toBe(true);
  });

  it('rejects a journal window that is not a number >= 0, naming the option', () => {
    expect(() => new ArtifactPlugin({ journalWindowMs: -1 })).toThrow(
      'ArtifactPlugin: journalWindowMs must be a number >= 0, got -1',
    );
  });

  it('ignores a torn or damaged journal line and reruns only its replicate', async () => {
    const root = tempDir();
    const full = await exp(root).run();
    crashedStagingFrom(root, 4);
    const path = join(staging(root), 'journal.jsonl');
    const lines = journalLines(staging(root));
    // Line 2 damaged (a byte changed), line 4 torn (the process died mid-write).
    const damaged = lines[1]!.replace('"replicate":1', '"replicate":9');
    writeFileSync(path, `${lines[0]}\n${damaged}\n${lines[2]}\n${lines[3]!.slice(0, 40)}`);
    calls.length = 0;
    const resumed = await exp(root).run({ strategy: 'resume' });
    expect(calls.sort()).toEqual(['a:1', 'a:3', 'b:1', 'b:3', 'baseline:1', 'baseline:3']);
    expect(resumed.metrics.baseline.metrics).toEqual(full.metrics.baseline.metrics);
    expect(resumed.metrics.treatments['b']!.metrics).toEqual(full.metrics.treatments['b']!.metrics);
  });
});

describe('provenance stored once', () => {
  it("keeps a run's provenance in its journal only, and writes provenance.jsonl for a condition resume reused whole", async () => {
    const root = tempDir();
    const first = await exp(root).run();
    expect(existsSync(join(v0(root), 'baseline', 'provenance.jsonl'))).toBe(false);
    const stored = readStoredRun(v0(root));
    for (const c of ['baseline', 'a', 'b'])
      expect(stored?.conditions[c]?.provenance).toEqual({ ...first.provenance.ctxChanges[c] });
    // Resume reuses every condition whole: none of them is in the new run's journal.
    calls.length = 0;
    const resumed = await exp(root).run({ strategy: 'resume' });
    expect(calls).toEqual([]);
    for (const c of ['baseline', 'a', 'b']) {
      expect(existsSync(join(v0(root), c, 'provenance.jsonl'))).toBe(true);
      expect(readStoredRun(v0(root))?.conditions[c]?.provenance).toEqual({
        ...first.provenance.ctxChanges[c],
      });
      expect({ ...resumed.provenance.ctxChanges[c] }).toEqual({
        ...first.provenance.ctxChanges[c],
      });
    }
  });
});

describe('per-replicate resume', () => {
  it('after a crash, resume computes only the replicates that were not journalled', async () => {
    const root = tempDir();
    const full = await exp(root).run();
    crashedStagingFrom(root, 2);
    calls.length = 0;
    const resumed = await exp(root).run({ strategy: 'resume' });
    expect(calls.sort()).toEqual(['a:2', 'a:3', 'b:2', 'b:3', 'baseline:2', 'baseline:3']);
    expect(resumed.metrics.baseline.metrics).toEqual(full.metrics.baseline.metrics);
    expect(resumed.metrics.treatments).toEqual(full.metrics.treatments);
    expect(resumed.provenance.seeds).toEqual(full.provenance.seeds);
    expect(resumed.dir).toBe(v0(root));
    // The resumed run's folder holds every replicate: complete, with its artifact files.
    const stored = readStoredRun(v0(root))!;
    expect(stored.conditions['a']!.metrics).toEqual(full.metrics.treatments['a']!.metrics);
    expect(existsSync(join(v0(root), 'a', '.crystallize_complete'))).toBe(true);
    for (let r = 0; r < 4; r++)
      expect(readFileSync(join(v0(root), `replicate_${r}`, 'a', 'Work', 'note.txt'), 'utf8')).toBe(
        `rep ${r} a`,
      );
    expect(existsSync(staging(root))).toBe(false);
  });

  it('reruns only the failed replicates of a condition and logs how many were reused', async () => {
    const root = tempDir();
    await exp(root, { failRep: 2 }).run();
    calls.length = 0;
    await exp(root, { failRep: 2 }).run({ strategy: 'resume' });
    expect(calls).toEqual(['b:2']);
    const log = readFileSync(join(v0(root), 'run.log'), 'utf8');
    expect(log).toContain(
      'reused 3 of 4 replicates from the journal (1 journalled as failed), running 1',
    );
  });

  it('runs only the missing (condition, replicate) pairs with AsyncExecution too', async () => {
    const root = tempDir();
    await exp(root).run();
    crashedStagingFrom(root, 2);
    // Of replicate 1, treatment b alone is missing: drop it from its journal line.
    const path = join(staging(root), 'journal.jsonl');
    rewriteJournal(path, (entry) =>
      entry.replicate === 1
        ? { ...entry, conditions: entry.conditions.filter((c) => c.condition !== 'b') }
        : entry,
    );
    calls.length = 0;
    const resumed = await exp(root, { execution: new AsyncExecution({ concurrency: 2 }) }).run({
      strategy: 'resume',
    });
    expect(calls.sort()).toEqual(['a:2', 'a:3', 'b:1', 'b:2', 'b:3', 'baseline:2', 'baseline:3']);
    expect(resumed.metrics.baseline.metrics['sum']).toHaveLength(4);
    expect(existsSync(path)).toBe(false); // swapped into v0
  });

  it('never reuses a journal line whose seed differs from the seed this run uses', async () => {
    const root = tempDir();
    await exp(root).run();
    crashedStagingFrom(root, 4);
    // A journal written under another seed scheme: same fingerprint, other seeds.
    rewriteJournal(join(staging(root), 'journal.jsonl'), (entry) => ({
      ...entry,
      conditions: entry.conditions.map((c) => ({ ...c, seed: c.seed + 1 })),
    }));
    calls.length = 0;
    await exp(root).run({ strategy: 'resume' });
    expect(calls).toHaveLength(12);
  });
});

describe('a marker is never trusted alone', () => {
  it('never reuses a marker from an earlier run beside a newer partial results.json', async () => {
    const root = tempDir();
    await exp(root).run();
    // A later run's save died after rewriting a's results.json (partial, 2 of 4 replicates)
    // but before it removed the marker the earlier run left.
    const path = join(v0(root), 'a', 'results.json');
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & {
      seeds: number[];
      metrics: Record<string, unknown[]>;
    };
    const partial = {
      ...stored,
      complete: false,
      seeds: stored.seeds.slice(0, 2),
      metrics: Object.fromEntries(
        Object.entries(stored.metrics).map(([k, v]) => [k, v.slice(0, 2)]),
      ),
    };
    writeFileSync(path, JSON.stringify(partial));
    withoutJournal(v0(root));
    expect(existsSync(join(v0(root), 'a', '.crystallize_complete'))).toBe(true);
    calls.length = 0;
    await exp(root).run({ strategy: 'resume' });
    expect(calls.filter((c) => c.startsWith('a:'))).toHaveLength(4);
    expect(calls.filter((c) => !c.startsWith('a:'))).toEqual([]);
  });

  it('does not reuse an old-format results.json whose replicate count, seeds or provenance disagree', async () => {
    const root = tempDir();
    await exp(root).run();
    withoutJournal(v0(root));
    const edit = (condition: string, change: (s: Record<string, unknown>) => void): void => {
      const path = join(v0(root), condition, 'results.json');
      const s = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      delete s['complete']; // as written before `complete` existed: only the marker vouched
      change(s);
      writeFileSync(path, JSON.stringify(s));
    };
    edit('baseline', (s) => void (s['seeds'] = (s['seeds'] as number[]).slice(0, 3)));
    edit('a', (s) => void (s['seeds'] = (s['seeds'] as number[]).map((x) => x + 1)));
    // b: provenance lost a replicate's line.
    const prov = join(v0(root), 'b', 'provenance.jsonl');
    const lines = readFileSync(prov, 'utf8').split('\n').filter(Boolean);
    writeFileSync(prov, lines.slice(0, -1).join('\n') + '\n');
    calls.length = 0;
    await exp(root).run({ strategy: 'resume' });
    expect(calls).toHaveLength(12);
  });
});

describe('a rerun never destroys the last complete results before it has its own', () => {
  it('keeps v0 readable and untouched while a rerun writes beside it, then swaps', async () => {
    const root = tempDir();
    const first = await exp(root).run();
    const firstMeta = readFileSync(join(v0(root), 'metadata.json'), 'utf8');
    const seen: boolean[] = [];
    during = () => {
      seen.push(
        readFileSync(join(v0(root), 'metadata.json'), 'utf8') === firstMeta &&
          latestVersionDir(expDir(root)) === v0(root) &&
          existsSync(join(staging(root), 'journal.jsonl')),
      );
    };
    const second = await exp(root, { offset: 1 }).run();
    expect(seen.every(Boolean)).toBe(true);
    expect(second.dir).toBe(v0(root));
    expect(readStoredRun(v0(root))!.conditions['baseline']!.metrics['sum']).toEqual(
      (first.metrics.baseline.metrics['sum'] as number[]).map((x) => x + 1),
    );
    expect(
      readdirSync(expDir(root)).filter((n) => n.startsWith('.v0.n') || n.startsWith('.v0.p')),
    ).toEqual([]);
  });

  it('leaves the previous complete results in v0 when the rerun is aborted or throws', async () => {
    const root = tempDir();
    const first = await exp(root).run();
    const controller = new AbortController();
    during = (ctx) => {
      if (ctx.get('replicate') === 1) controller.abort();
    };
    const aborted = await exp(root, { offset: 5 }).run({ signal: controller.signal });
    expect(aborted.dir).toBe(staging(root));
    expect(readStoredRun(v0(root))!.conditions['baseline']!.metrics).toEqual(
      first.metrics.baseline.metrics,
    );
    class Breaks extends BasePlugin {
      override afterRun(): void {
        throw new Error('plugin broke');
      }
    }
    during = undefined;
    await expect(exp(root, { offset: 6, plugins: [new Breaks()] }).run()).rejects.toThrow(
      'plugin broke',
    );
    expect(readStoredRun(v0(root))!.conditions['baseline']!.metrics).toEqual(
      first.metrics.baseline.metrics,
    );
  });

  it('resume continues an aborted staged run from its journal', async () => {
    const root = tempDir();
    await exp(root).run();
    const controller = new AbortController();
    during = (ctx) => {
      if (ctx.get('replicate') === 2) controller.abort();
    };
    // A rerun of another configuration (offset 1) aborted after replicates 0 and 1.
    await exp(root, { offset: 1 }).run({ signal: controller.signal });
    during = undefined;
    calls.length = 0;
    await exp(root, { offset: 1 }).run({ strategy: 'resume' });
    // Replicates 0 and 1 come from the staged run's journal; 2 (its conditions done before the
    // abort took effect may be journalled too) and 3 run.
    expect(calls.filter((c) => c.endsWith(':0') || c.endsWith(':1'))).toEqual([]);
    expect(calls.filter((c) => c.endsWith(':3'))).toHaveLength(3);
    const stored = readStoredRun(v0(root))!;
    expect(stored.conditions['baseline']!.metrics['sum']).toEqual([7, 8, 9, 10]);
  });

  it('repairs a swap a crash interrupted, and readers see .v0.prev meanwhile', async () => {
    const root = tempDir();
    const first = await exp(root).run();
    // Crash between `v0 -> .v0.prev` and `.v0.next -> v0`, the staged run unfinished.
    renameSync(v0(root), join(expDir(root), '.v0.prev'));
    mkdirSync(staging(root));
    expect(latestVersionDir(expDir(root))).toBe(join(expDir(root), '.v0.prev'));
    calls.length = 0;
    const resumed = await exp(root).run({ strategy: 'resume' });
    expect(calls).toEqual([]);
    expect(resumed.metrics.baseline.metrics).toEqual(first.metrics.baseline.metrics);
    expect(readdirSync(expDir(root)).filter((n) => n.startsWith('.v0.'))).toEqual([]);
  });
});

describe('versioned resume', () => {
  it('continues an unfinished newest version and brings reused artifacts into a new version', async () => {
    const root = tempDir();
    const first = await exp(root, { versioned: true }).run();
    calls.length = 0;
    // The newest version is finished: resume stores into a new version, reusing everything.
    const again = await exp(root, { versioned: true }).run({ strategy: 'resume' });
    expect(calls).toEqual([]);
    expect(again.dir).toBe(join(expDir(root), 'v1'));
    expect(again.metrics.treatments).toEqual(first.metrics.treatments);
    const note = join(expDir(root), 'v1', 'replicate_3', 'b', 'Work', 'note.txt');
    expect(readFileSync(note, 'utf8')).toBe('rep 3 b');
    // v1 crashed half way: its journal keeps 2 replicates; resume continues v1.
    for (const f of ['metadata.json']) rmSync(join(expDir(root), 'v1', f));
    calls.length = 0;
    const third = await exp(root, { versioned: true }).run({ strategy: 'resume' });
    expect(third.dir).toBe(join(expDir(root), 'v1'));
    expect(calls).toEqual([]);
  });
});

describe('versioned resume of an aborted version', () => {
  it('continues the aborted version in place and runs only its missing replicates', async () => {
    const root = tempDir();
    const controller = new AbortController();
    during = (ctx) => {
      if (ctx.get('replicate') === 2) controller.abort();
    };
    await exp(root, { versioned: true }).run({ signal: controller.signal });
    during = undefined;
    calls.length = 0;
    const resumed = await exp(root, { versioned: true }).run({ strategy: 'resume' });
    expect(resumed.dir).toBe(join(expDir(root), 'v0'));
    expect(calls.filter((c) => c.endsWith(':0') || c.endsWith(':1'))).toEqual([]);
    expect(resumed.metrics.baseline.metrics['sum']).toEqual([6, 7, 8, 9]);
  });
});

describe('stale temp files', () => {
  it('removes temp files of interrupted atomic writes under the run folder at the next start', async () => {
    const root = tempDir();
    await exp(root).run();
    crashedStagingFrom(root, 2);
    const tmp = join(staging(root), 'replicate_0', 'a', 'Work', '.note.txt.123-0-7-abcd1234.tmp');
    writeFileSync(tmp, 'half');
    mkdirSync(join(staging(root), 'a'), { recursive: true });
    const tmp2 = join(staging(root), 'a', '.results.json.123-0-8-abcd1234.tmp');
    writeFileSync(tmp2, '{"par');
    await exp(root).run({ strategy: 'resume' });
    const left = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.tmp'));
    expect(left(expDir(root))).toEqual([]);
  });

  it('removes lock temp files that dead or half-written lock takers left in the experiment folder', async () => {
    const root = tempDir();
    await exp(root).run();
    const dead = join(expDir(root), '.v0.lock.0123abcd.tmp');
    writeFileSync(dead, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: 'x' }));
    const torn = join(expDir(root), '.v0.lock.4567cdef.tmp');
    writeFileSync(torn, '');
    await exp(root).run({ strategy: 'resume' });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(torn)).toBe(false);
  });
});
