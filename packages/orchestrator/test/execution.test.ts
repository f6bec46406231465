import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FrozenContext, PipelineStep, Step } from '@crystallize/core';
import {
  ArtifactPlugin,
  AsyncExecution,
  Experiment,
  LoggingPlugin,
  SerialExecution,
  type ExecutionPlugin,
} from '@crystallize/orchestrator';
import { tempDir } from './helpers.js';

let controller = new AbortController();
let running = 0;
let maxRunning = 0;

/** Aborts the run once replicate 1 finished; tracks how many replicates overlap. */
class AbortAfterOne extends Step<number, number> {
  @PipelineStep()
  async run(data: number, ctx: FrozenContext): Promise<number> {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    ctx.metrics.add('rep', Number(ctx.get('replicate')));
    if (ctx.get('replicate') === 1) controller.abort();
    return data;
  }
}

function exp(root: string, execution: ExecutionPlugin): Experiment {
  return new Experiment({
    name: 'exec',
    datasource: () => 1,
    pipeline: [AbortAfterOne],
    plugins: [
      execution,
      new ArtifactPlugin({ rootDir: root }),
      new LoggingPlugin({ level: 'silent' }),
    ],
    cache: false,
  });
}

beforeEach(() => {
  controller = new AbortController();
  running = 0;
  maxRunning = 0;
});

describe('execution strategies', () => {
  it('SerialExecution runs one replicate at a time, AsyncExecution up to its concurrency', async () => {
    const never = new AbortController();
    const serial = await exp(tempDir(), new SerialExecution()).run({
      replicates: 4,
      signal: never.signal,
    });
    expect(serial.metrics.baseline.metrics['rep']).toEqual([0, 1, 2, 3]);
    expect(maxRunning).toBe(1);
    maxRunning = 0;
    const asyncResult = await exp(tempDir(), new AsyncExecution({ concurrency: 3 })).run({
      replicates: 6,
      signal: never.signal,
    });
    expect(maxRunning).toBe(3);
    // Results come back in replicate order even though replicates overlapped.
    expect(asyncResult.metrics.baseline.metrics['rep']).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rejects a bad AsyncExecution concurrency', () => {
    expect(() => new AsyncExecution({ concurrency: 0 })).toThrow(RangeError);
  });

  it('stops scheduling replicates when the signal aborts and marks nothing complete', async () => {
    const root = tempDir();
    const result = await exp(root, new SerialExecution()).run({
      replicates: 5,
      signal: controller.signal,
    });
    expect(result.metrics.baseline.metrics['rep']).toEqual([0, 1]);
    // An aborted run never takes v0's place: it stays in the staging folder, for resume.
    const v0 = join(root, 'exec', '.v0.next');
    expect(result.dir).toBe(v0);
    expect(existsSync(join(root, 'exec', 'v0'))).toBe(false);
    expect(existsSync(join(v0, 'baseline', 'results.json'))).toBe(true);
    expect(existsSync(join(v0, 'baseline', '.crystallize_complete'))).toBe(false);
    expect(JSON.parse(readFileSync(join(v0, 'metadata.json'), 'utf8'))).toMatchObject({
      aborted: true,
    });
  });

  it('stops AsyncExecution from starting new replicates after an abort', async () => {
    const result = await exp(tempDir(), new AsyncExecution({ concurrency: 2 })).run({
      replicates: 8,
      signal: controller.signal,
    });
    const reps = result.metrics.baseline.metrics['rep'] as number[];
    expect(reps.length).toBeLessThan(8);
    expect(reps).toEqual([...reps].sort((a, b) => a - b));
  });

  it('drain stops SerialExecution gracefully: the running replicate finishes, no new one starts, result.aborted', async () => {
    const root = tempDir();
    const result = await exp(root, new SerialExecution()).run({
      replicates: 5,
      drain: controller.signal,
    });
    expect(result.aborted).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.toJSON()['aborted']).toBe(true);
    expect(result.metrics.baseline.metrics['rep']).toEqual([0, 1]);
    // An interrupted unversioned run stays staged beside v0 (resume continues it).
    const v0 = join(root, 'exec', '.v0.next');
    expect(existsSync(join(v0, 'baseline', '.crystallize_complete'))).toBe(false);
    expect(existsSync(join(root, 'exec', 'v0'))).toBe(false);
    expect(JSON.parse(readFileSync(join(v0, 'metadata.json'), 'utf8'))).toMatchObject({
      aborted: true,
      ok: false,
    });
    const log = readFileSync(join(v0, 'run.log'), 'utf8');
    expect(log).toMatch(/run interrupted: 2 of 5 replicates done, stored in .*strategy: 'resume'/);
  });

  it('drain lets AsyncExecution finish every replicate in flight and start none after', async () => {
    const result = await exp(tempDir(), new AsyncExecution({ concurrency: 2 })).run({
      replicates: 8,
      drain: controller.signal,
    });
    expect(result.aborted).toBe(true);
    const reps = result.metrics.baseline.metrics['rep'] as number[];
    // Replicates 0 and 1 ran together, 2 started when 0 ended; the drain came as 1 ended.
    expect(reps).toEqual([0, 1, 2]);
  });

  it('is not aborted when the drain comes after every replicate ran', async () => {
    const result = await exp(tempDir(), new SerialExecution()).run({
      replicates: 2,
      drain: controller.signal,
    });
    expect(controller.signal.aborted).toBe(true);
    expect(result.aborted).toBe(false);
    expect(result.ok).toBe(true);
  });
});
