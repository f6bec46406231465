/*
 * The run journal's hand-written fast paths (plain seeds, number metrics, plain params) must read
 * back exactly what the generic stored-JSON path would: every value, including the ones plain
 * JSON changes (NaN, ±Infinity, -0, bigint), and records with context changes.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalWriter, journalBytes, readJournal } from '../src/storage/journal.js';
import type { ReplicateOutcome } from '../src/model/outcome.js';
import { fps, quick, record } from './journal-fixtures.js';

describe('journal lines', () => {
  it('read back every value exactly, through the fast paths and the generic one', () => {
    const outcome: ReplicateOutcome = {
      replicate: 3,
      conditions: [
        {
          condition: 'baseline',
          replicate: 3,
          seed: 12345,
          metrics: { score: [1.5, 2, -3e-7], count: [4] },
          records: [
            record({ params: { delta: 1, label: 'x "quoted"', on: true }, durationMs: 0.0625 }),
            record({ step: 'Mul', inputHash: 'c'.repeat(64), outputHash: 'd'.repeat(64) }),
          ],
          artifacts: [],
        },
        {
          condition: 'odd',
          replicate: 3,
          seed: -0,
          metrics: { weird: [NaN, -0, Infinity, -Infinity], big: [10n ** 20n], mixed: ['a', 1] },
          records: [
            record({
              params: { nested: { a: [1, 2] }, missing: null },
              ctxChanges: { reads: ['k'], wrote: { k: NaN }, metrics: [] },
              durationMs: 1.25,
            }),
          ],
          artifacts: [{ name: 'out.json', step: 'Add', path: 'replicate_3/odd/Add/out.json' }],
          error: { name: 'Error', message: 'boom', stepName: 'Add' },
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'cz-journal-'));
    try {
      const path = join(dir, 'journal.jsonl');
      const writer = new JournalWriter(path);
      writer.append(journalBytes(outcome, { baseline: { hash: 'fp-b' }, odd: { hash: 'fp-o' } }));
      writer.close();
      const [entry] = readJournal(path);
      expect(entry?.replicate).toBe(3);
      const [base, odd] = entry?.conditions ?? [];
      expect(base).toMatchObject({ condition: 'baseline', fingerprint: 'fp-b', seed: 12345 });
      expect(base?.metrics).toEqual({ score: [1.5, 2, -3e-7], count: [4] });
      expect(base?.records).toEqual(outcome.conditions[0]?.records);
      expect(odd?.fingerprint).toBe('fp-o');
      expect(Object.is(odd?.seed, -0)).toBe(true);
      const weird = odd?.metrics['weird'] ?? [];
      expect(Number.isNaN(weird[0])).toBe(true);
      expect(Object.is(weird[1], -0)).toBe(true);
      expect(weird.slice(2)).toEqual([Infinity, -Infinity]);
      expect(odd?.metrics['big']).toEqual([10n ** 20n]);
      expect(odd?.metrics['mixed']).toEqual(['a', 1]);
      expect(odd?.records[0]?.params).toEqual({ nested: { a: [1, 2] }, missing: null });
      expect(odd?.records[0]?.ctxChanges.reads).toEqual(['k']);
      expect(Number.isNaN(odd?.records[0]?.ctxChanges.wrote['k'])).toBe(true);
      expect(odd?.records[0]?.durationMs).toBe(1.25);
      expect(odd?.artifacts).toEqual(outcome.conditions[1]?.artifacts);
      expect(odd?.error).toEqual({ name: 'Error', message: 'boom', stepName: 'Add' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('read back records that do not chain (written as compact arrays) exactly', () => {
    const outcome: ReplicateOutcome = {
      replicate: 0,
      conditions: [
        {
          condition: 'baseline',
          replicate: 0,
          seed: 1,
          metrics: {},
          records: [
            record({ outputHash: 'unhashable' }),
            record({ inputHash: 'e'.repeat(64), durationMs: 2 }),
          ],
          artifacts: [],
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'cz-journal-'));
    try {
      const path = join(dir, 'journal.jsonl');
      const writer = new JournalWriter(path);
      writer.appendOutcome(outcome, { baseline: { hash: 'fp' } });
      writer.close();
      expect(readJournal(path)[0]?.conditions[0]?.records).toEqual(outcome.conditions[0]?.records);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('still reads lines in the format of the previous release (records as compact arrays)', () => {
    const h = (c: string): string => c.repeat(64);
    const json = JSON.stringify({
      replicate: 4,
      conditions: [
        {
          condition: 'baseline',
          fingerprint: 'fp',
          seed: 9,
          metrics: { y: [1] },
          records: [
            ['Add', h('a'), h('b'), h('c'), 0, { params: { delta: 1 } }],
            ['Add', h('a'), 0, h('d'), 1],
          ],
          durations: Buffer.from(new Float64Array([0.5, 0.25]).buffer).toString('base64'),
          artifacts: [],
        },
      ],
    });
    const crc = (zlib as unknown as { crc32: (s: string) => number }).crc32(json);
    const dir = mkdtempSync(join(tmpdir(), 'cz-journal-'));
    try {
      const path = join(dir, 'journal.jsonl');
      writeFileSync(path, `${crc.toString(16).padStart(8, '0')} ${json}\n`);
      const [entry] = readJournal(path);
      expect(entry?.conditions[0]?.records).toEqual([
        record({ params: { delta: 1 }, durationMs: 0.5 }),
        record({ inputHash: h('c'), outputHash: h('d'), cacheHit: true, durationMs: 0.25 }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JournalWriter batching', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cz-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps lines of quick replicates until the window passes, then writes them with one write at close', () => {
    const path = join(dir, 'journal.jsonl');
    const writer = new JournalWriter(path, { windowMs: 60_000 });
    for (let r = 0; r < 3; r++) writer.appendOutcome(quick(r), fps);
    expect(statSync(path).size).toBe(0);
    writer.close();
    expect(readJournal(path).map((e) => e.replicate)).toEqual([0, 1, 2]);
  });

  it('writes the line of a replicate whose steps took at least the window at once, with the waiting lines before it', () => {
    const path = join(dir, 'journal.jsonl');
    const writer = new JournalWriter(path, { windowMs: 60_000 });
    writer.appendOutcome(quick(0), fps);
    writer.appendOutcome(quick(1, 60_000), fps);
    expect(readJournal(path).map((e) => e.replicate)).toEqual([0, 1]);
    writer.appendOutcome(quick(2), fps);
    expect(readJournal(path)).toHaveLength(2);
    writer.close();
    expect(readJournal(path)).toHaveLength(3);
  });

  it('writes a replicate without step times at once (its cost is unknown)', () => {
    const path = join(dir, 'journal.jsonl');
    const writer = new JournalWriter(path, { windowMs: 60_000 });
    const untimed = quick(0);
    const c = untimed.conditions[0] as ReplicateOutcome['conditions'][number];
    writer.appendOutcome({ ...untimed, conditions: [{ ...c, records: [record({})] }] }, fps);
    expect(readJournal(path)).toHaveLength(1);
    writer.close();
  });

  it('writes every line at once with windowMs 0', () => {
    const path = join(dir, 'journal.jsonl');
    const writer = new JournalWriter(path, { windowMs: 0 });
    writer.appendOutcome(quick(0), fps);
    writer.appendOutcome(quick(1), fps);
    expect(readJournal(path)).toHaveLength(2);
    writer.close();
  });

  it("writes a condition's step table once per writer and reads later lines through its id; a line whose table is lost is skipped, never misread", () => {
    const path = join(dir, 'journal.jsonl');
    const chained = (replicate: number): ReplicateOutcome => ({
      replicate,
      conditions: [
        {
          condition: 'baseline',
          replicate,
          seed: replicate,
          metrics: {},
          records: [
            record({ params: { k: replicate % 2 }, durationMs: 0.01 }),
            record({ step: 'Mul', inputHash: 'c'.repeat(64), outputHash: 'd'.repeat(64) }),
          ],
          artifacts: [],
        },
      ],
    });
    let writer = new JournalWriter(path, { windowMs: 0 });
    for (let r = 0; r < 4; r++) writer.appendOutcome(chained(r), fps);
    writer.close();
    // A second writer (a resumed run) appending to the same file defines its tables again.
    writer = new JournalWriter(path, { windowMs: 0 });
    writer.appendOutcome(chained(4), fps);
    writer.close();
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => (l.includes('"stepsRef"') ? 'ref' : 'table'))).toEqual([
      'table', // k: 0
      'table', // k: 1
      'ref',
      'ref',
      'table', // the second writer
    ]);
    const want = Array.from({ length: 5 }, (_, r) => chained(r).conditions[0]?.records);
    expect(readJournal(path).map((e) => e.conditions[0]?.records)).toEqual(want);
    // Line 1 (the table of k: 0) damaged: line 3, which refers to it, is skipped as well.
    writeFileSync(
      path,
      lines.map((l, i) => (i === 0 ? l.replace('"k":0', '"k":7') : l)).join('\n'),
    );
    expect(readJournal(path).map((e) => e.replicate)).toEqual([1, 3, 4]);
  });
});
