/*
 * The run journal's hand-written fast paths (plain seeds, number metrics, plain params) must read
 * back exactly what the generic stored-JSON path would: every value, including the ones plain
 * JSON changes (NaN, ±Infinity, -0, bigint), and records with context changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalWriter, journalBytes, readJournal } from '../src/storage/journal.js';
import type { ReplicateOutcome } from '../src/model/outcome.js';
import type { StepRecord } from '../src/model/step-record.js';

const record = (over: Partial<StepRecord>): StepRecord => ({
  step: 'Add',
  params: {},
  cacheKey: 'a'.repeat(64),
  inputHash: 'b'.repeat(64),
  outputHash: 'c'.repeat(64),
  cacheHit: false,
  ctxChanges: { reads: [], wrote: {}, metrics: [] },
  ...over,
});

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
});
