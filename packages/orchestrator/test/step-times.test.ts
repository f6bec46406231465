import 'reflect-metadata';
import { PipelineStep, Step, type FrozenContext } from '@crystallize/core';
import {
  ArtifactPlugin,
  AsyncExecution,
  Experiment,
  LoggingPlugin,
  Pipeline,
  SerialExecution,
  type BasePlugin,
  type Result,
  type StepRecord,
} from '@crystallize/orchestrator';
import { readStoredRun } from '@crystallize/orchestrator/internal';
import { ProvenanceStore, decodeDurations } from '../src/storage/provenance-store.js';
import { FileStepCache, ScaleData, recordsOf, tempDir } from './helpers.js';

class Add extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[]): number[] {
    return data.map((x) => x + 1);
  }
}

class Join extends Step<{ left: number[]; right: number[] }, number> {
  @PipelineStep()
  run(data: { left: number[]; right: number[] }): number {
    return [...data.left, ...data.right].length;
  }
}

class Total extends Step<number[], number> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number {
    const total = data.reduce((a, b) => a + b, 0);
    ctx.metrics.add('total', total);
    return total;
  }
}

function plugins(root: string, ...more: BasePlugin[]): BasePlugin[] {
  // Not verbose: the times must not depend on it.
  return [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' }), ...more];
}

function allRecords(result: Result): StepRecord[] {
  return Object.keys(result.provenance.ctxChanges).flatMap((c) => recordsOf(result, c).flat());
}

function expectTimed(records: readonly StepRecord[]): void {
  expect(records.length).toBeGreaterThan(0);
  for (const r of records) {
    expect(typeof r.durationMs).toBe('number');
    expect(Number.isFinite(r.durationMs)).toBe(true);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  }
}

describe('step times recorded by the runner', () => {
  it.each([
    ['serial', () => new SerialExecution()],
    ['async', () => new AsyncExecution({ concurrency: 2 })],
  ])('records every call of a non-verbose %s run with its wall time', async (_name, execution) => {
    const exp = new Experiment({
      datasource: () => [1, 2, 3],
      pipeline: [ScaleData, Add, Total],
      plugins: plugins(tempDir(), execution()),
      cache: false,
    });
    const result = await exp.run({ replicates: 3 });
    const records = allRecords(result);
    expect(records).toHaveLength(9);
    expectTimed(records);
  });

  it('times cache hits too, and the times are in no cache key or hash', async () => {
    const cache = new FileStepCache();
    const exp = new Experiment({
      datasource: () => [1, 2, 3],
      pipeline: [ScaleData, Total],
      plugins: plugins(tempDir()),
      cache,
    });
    const cold = allRecords(await exp.run({ replicates: 2 }));
    const warm = allRecords(await exp.run({ replicates: 2 }));
    expect(warm.filter((r) => r.step === 'ScaleData').map((r) => r.cacheHit)).toEqual([true, true]);
    expectTimed(warm);
    const identity = (r: StepRecord) => [r.cacheKey, r.inputHash, r.outputHash];
    expect(warm.map(identity)).toEqual(cold.map(identity));
  });

  it('times every node of a branching pipeline', async () => {
    const exp = new Experiment({
      datasource: () => [1, 2, 3],
      pipeline: new Pipeline({
        load: Add,
        left: { step: ScaleData, after: 'load' },
        right: { step: Add, after: 'load' },
        join: { step: Join, after: ['left', 'right'] },
      }),
      plugins: plugins(tempDir()),
      cache: false,
    });
    const records = allRecords(await exp.run({ replicates: 2 }));
    expect(records).toHaveLength(8);
    expectTimed(records);
  });

  it("stores each call's time with the run's provenance and reads it back exactly", async () => {
    const root = tempDir();
    const exp = new Experiment({
      name: 'timed',
      datasource: () => [1, 2, 3],
      pipeline: [ScaleData, Add, Total],
      plugins: plugins(root),
      cache: false,
    });
    const result = await exp.run({ replicates: 2 });
    const parsed = readStoredRun(result.dir as string)?.conditions['baseline']?.provenance ?? {};
    const inMemory = recordsOf(result);
    expect(Object.values(parsed).map((recs) => recs.map((r) => r.durationMs))).toEqual(
      inMemory.map((recs) => recs.map((r) => r.durationMs)),
    );
    expectTimed(Object.values(parsed).flat());
  });
});

describe('ProvenanceStore and step times', () => {
  const h = (n: number): string => n.toString(16).padStart(64, '0');
  const record = (i: number, durationMs?: number): StepRecord => ({
    step: `s${i}`,
    params: {},
    cacheKey: h(100 + i),
    inputHash: h(i),
    outputHash: h(i + 1),
    cacheHit: false,
    ...(durationMs === undefined ? {} : { durationMs }),
    ctxChanges: { reads: [], wrote: {}, metrics: [] },
  });

  it("keeps each call's durationMs in memory and through provenance.jsonl, and none where a call had none", () => {
    const store = new ProvenanceStore();
    store.add('baseline', 0, [record(0, 0.125), record(1, 12.5), record(2, 0)]);
    store.add('baseline', 1, [record(0), record(1), record(2)]); // records stored before times
    store.add('baseline', 2, [record(0, 3), record(1), record(2, 1e-6)]);
    const durations = (recs: readonly StepRecord[] | undefined) =>
      (recs ?? []).map((r) => ('durationMs' in r ? r.durationMs : 'none'));
    const view = store.view()['baseline']!;
    const parsed = ProvenanceStore.parse([...store.lines('baseline')].join('\n'));
    for (const got of [view, parsed]) {
      expect(durations(got[0])).toEqual([0.125, 12.5, 0]);
      expect(durations(got[1])).toEqual(['none', 'none', 'none']);
      expect(durations(got[2])).toEqual([3, 'none', 1e-6]);
    }
    const lines = [...store.lines('baseline')];
    expect(lines[2]).not.toContain('durations'); // an untimed replicate's line is as before
    const stored = (JSON.parse(lines[3]!) as { durations: string }).durations;
    expect(decodeDurations(stored)).toEqual([3, NaN, 1e-6]); // little-endian float64s, base64
  });
});
