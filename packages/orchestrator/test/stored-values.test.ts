import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipelineStep, treatment } from '@crystallize/core';
import { Experiment, Pipeline, Result } from '@crystallize/orchestrator';
import { quietPlugins, tempDir } from './helpers.js';
import { readStoredRun } from '@crystallize/orchestrator/internal';

/** Records the context's `v` (NaN by default) and a few values plain JSON would change. */
const Record = pipelineStep(
  { name: 'Record', params: { big: 7n } },
  (data: number, ctx, { big }) => {
    ctx.metrics.add('v', ctx.get<number>('v', NaN));
    ctx.metrics.add('negzero', -0);
    ctx.metrics.add('big_is_bigint', typeof big === 'bigint' ? 1 : 0);
    return data;
  },
);

function experiment(rootDir: string): Experiment {
  return new Experiment({
    name: 'stored-values',
    datasource: () => 1,
    pipeline: new Pipeline([Record()]),
    plugins: quietPlugins(rootDir),
    treatments: [treatment('inf', { v: Infinity }), treatment('neginf', { v: -Infinity })],
    replicates: 2,
  });
}

function expectExact(result: Result): void {
  const base = result.metrics.baseline.metrics;
  expect(base['v']).toEqual([NaN, NaN]);
  expect(Object.is((base['negzero'] as number[])[0], -0)).toBe(true);
  expect(base['big_is_bigint']).toEqual([1, 1]);
  expect(result.metrics.treatments['inf']?.metrics['v']).toEqual([Infinity, Infinity]);
  expect(result.metrics.treatments['neginf']?.metrics['v']).toEqual([-Infinity, -Infinity]);
}

describe('stored results keep values plain JSON would change', () => {
  it('reads NaN, ±Infinity and -0 metrics back exactly when resume reuses a condition', async () => {
    const root = tempDir();
    const first = await experiment(root).run();
    expect(first.errors).toEqual({});
    expectExact(first);
    const resumed = await experiment(root).run({ strategy: 'resume' });
    expect(resumed.provenance.conditions?.['baseline']?.reused).toBe(true);
    expectExact(resumed);
  });

  it('stores a bigint step param in provenance instead of failing the run', async () => {
    const root = tempDir();
    await experiment(root).run();
    // Stored tagged (plain JSON has no bigint), and read back as the bigint it was.
    const journal = readFileSync(join(root, 'stored-values', 'v0', 'journal.jsonl'), 'utf8');
    expect(journal).toContain('"bigint"');
    const records = readStoredRun(join(root, 'stored-values', 'v0'))?.conditions['baseline']
      ?.provenance[0];
    expect(records?.some((r) => Object.values(r.params).some((v) => typeof v === 'bigint'))).toBe(
      true,
    );
  });

  it('round-trips NaN, ±Infinity and -0 metrics through Result.toJSON / fromJSON', async () => {
    const result = await experiment(tempDir()).run();
    expectExact(Result.fromJSON(JSON.stringify(result.toJSON())));
  });
});
