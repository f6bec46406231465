/*
 * The run journal's batching of quick replicates, where it depends on time passing (a window, a
 * timer, the process exiting): the journal keeps lines of cheap replicates for at most its window
 * and never keeps the line of a replicate that took longer.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type FrozenContext, PipelineStep, Step } from '@crystallize/core';
import { ArtifactPlugin, Experiment, LoggingPlugin } from '@crystallize/orchestrator';
import { JournalWriter, readJournal } from '../src/storage/journal.js';
import { tempDir } from './helpers.js';
import { fps, quick } from './journal-fixtures.js';

const journalLines = (path: string): number =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;

/** A step of 3 ms of computing that reports how many journal lines are on disk as it starts. */
let seen: number[] = [];
let journal = '';
class Busy extends Step<number, number> {
  @PipelineStep()
  run(x: number, ctx: FrozenContext): number {
    if (ctx.get('condition') === 'baseline') seen.push(journalLines(journal));
    const until = performance.now() + 3;
    while (performance.now() < until); // a replicate of 3 ms of computing
    return x;
  }
}

describe('run journal batching', () => {
  it('with the default window, writes the line of a replicate whose steps took 2 ms or more before the next replicate starts', async () => {
    const root = tempDir();
    journal = join(root, 'busy', '.v0.next', 'journal.jsonl');
    seen = [];
    await new Experiment({
      name: 'busy',
      datasource: () => 1,
      pipeline: [Busy],
      replicates: 4,
      plugins: [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })],
      cache: false,
    }).run();
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('writes waiting lines when the window passes while the process is idle', async () => {
    const path = join(tempDir(), 'journal.jsonl');
    const writer = new JournalWriter(path, { windowMs: 20 });
    writer.appendOutcome(quick(0), fps);
    const until = Date.now() + 5_000;
    while (readJournal(path).length === 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10));
    expect(readJournal(path)).toHaveLength(1);
    writer.close();
    expect(journalLines(path)).toBe(1);
  });

  it('writes waiting lines when the process exits, process.exit() included', () => {
    const path = join(tempDir(), 'journal.jsonl');
    const module = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'storage', 'journal.js'));
    const script = `
      const { JournalWriter } = await import(${JSON.stringify(module.href)});
      const writer = new JournalWriter(${JSON.stringify(path)}, { windowMs: 60000 });
      const outcome = ${JSON.stringify(quick(0))};
      for (let r = 0; r < 3; r++) writer.appendOutcome({ ...outcome, replicate: r }, ${JSON.stringify(fps)});
      process.exit(0);
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(readJournal(path).map((e) => e.replicate)).toEqual([0, 1, 2]);
  });

  it('reports a write that fails (a full disk: /dev/full) and keeps its lines waiting, whether the append, a flush or the timer tried it', async () => {
    const writer = new JournalWriter('/dev/full', { windowMs: 60_000 });
    writer.appendOutcome(quick(0), fps); // waits
    expect(() => writer.flush()).toThrow(/ENOSPC/);
    expect(() => writer.flush()).toThrow(/ENOSPC/); // still waiting, tried again
    expect(() => writer.close()).toThrow(/ENOSPC/);
    // The timer's attempt fails with nobody to tell: the next flush reports it.
    const timed = new JournalWriter('/dev/full', { windowMs: 10 });
    timed.appendOutcome(quick(1), fps);
    await new Promise((r) => setTimeout(r, 100));
    expect(() => timed.flush()).toThrow(/ENOSPC/);
    expect(() => timed.close()).toThrow(/ENOSPC/);
  });
});
