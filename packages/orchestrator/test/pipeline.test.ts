import 'reflect-metadata';
import {
  type FrozenContext,
  Param,
  PipelineExecutionError,
  PipelineStep,
  Step,
  ValidationError,
  pipelineStep,
} from '@crystallize/core';
import { Experiment, LoggingPlugin, Pipeline } from '@crystallize/orchestrator';
import {
  ComputeSum,
  Normalize,
  ScaleData,
  SumWithMetrics,
  quietPlugins,
  recordsOf,
  tempDir,
} from './helpers.js';

describe('Pipeline', () => {
  it('accepts a pipelineStep() builder itself, built with its defaults', async () => {
    const add = pipelineStep(
      { params: { delta: 1 }, name: 'add' },
      (x: number, _c, { delta }) => x + delta,
    );
    const pipeline = new Pipeline([add, add({ delta: 10 })]);
    expect(pipeline.steps.map((s) => s.name)).toEqual(['add', 'add']);
    const exp = new Experiment({
      datasource: () => 0,
      pipeline,
      plugins: quietPlugins(),
      cache: false,
    });
    expect(await exp.apply()).toBe(11);
  });

  it('accepts step instances, step classes and Step.with factories in any mix', () => {
    const add = pipelineStep({ params: { delta: 1 } }, (xs: number[], _c, { delta }) =>
      xs.map((x) => x + delta),
    );
    const p = new Pipeline([ScaleData.with({ factor: 2 }), Normalize, new ComputeSum(), add()]);
    expect(p.steps.map((s) => s.constructor.name === 'FunctionStep' || s instanceof Step)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(p.steps[0]).toBeInstanceOf(ScaleData);
    expect(p.steps[0]!.params).toEqual({ factor: 2 });
    expect(p.steps[1]).toBeInstanceOf(Normalize);
    expect(p.steps[2]).toBeInstanceOf(ComputeSum);
    expect(p.describe()).toBe('ScaleData>Normalize>ComputeSum>functionStep');
  });

  it('rejects an empty pipeline with a ValidationError', () => {
    expect(() => new Pipeline([])).toThrow(ValidationError);
    expect(() => new Pipeline([])).toThrow(/at least one step/);
  });

  it('rejects junk steps, naming every bad position', () => {
    let error: unknown;
    try {
      new Pipeline([ComputeSum, 42 as never, (() => 1) as never]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/pipeline step 1: 42 is not a step/);
    expect(problems[1]).toMatch(/pipeline step 2: function .* is not a step/);
  });

  it('has a signature that is stable for equal pipelines and changes with params or order', () => {
    const a = new Pipeline([ScaleData.with({ factor: 1.5 }), Normalize, ComputeSum]);
    const b = new Pipeline([new ScaleData({ factor: 1.5 }), new Normalize(), ComputeSum]);
    const otherParam = new Pipeline([ScaleData.with({ factor: 2 }), Normalize, ComputeSum]);
    const otherOrder = new Pipeline([Normalize, ScaleData.with({ factor: 1.5 }), ComputeSum]);
    expect(a.signature()).toBe(b.signature());
    expect(a.signature()).toMatch(/^[0-9a-f]{16,}$/);
    expect(otherParam.signature()).not.toBe(a.signature());
    expect(otherOrder.signature()).not.toBe(a.signature());
  });
});

class Fails extends Step<number[], number[]> {
  @PipelineStep()
  run(): number[] {
    throw new RangeError('boom in step');
  }
}

class WritesKey extends Step<number[], number[]> {
  @Param() offset = 0;
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    ctx.add('doubled', data.length * 2);
    ctx.get('scale_factor', 1);
    ctx.metrics.add('len', data.length, { kind: 'count' });
    return data.map((x) => x + this.offset);
  }
}

describe('pipeline runner', () => {
  function exp(
    pipeline: Pipeline,
    verbose = false,
    initialCtx: Record<string, unknown> = {},
  ): Experiment {
    return new Experiment({
      datasource: () => [1, 2, 3],
      pipeline,
      initialCtx,
      plugins: [
        ...quietPlugins(tempDir()).slice(0, 1),
        new LoggingPlugin({ level: 'silent', verbose }),
      ],
      cache: false,
    });
  }

  it('runs the steps in order, each seeing the previous output', async () => {
    const seen: string[] = [];
    const tag = (label: string) =>
      pipelineStep({ name: `Tag${label}` }, (xs: string[]) => {
        seen.push(label);
        return [...xs, label];
      });
    const e = new Experiment({
      datasource: () => [] as string[],
      pipeline: [tag('a')(), tag('b')(), tag('c')()],
      plugins: quietPlugins(),
      cache: false,
    });
    await expect(e.apply()).resolves.toEqual(['a', 'b', 'c']);
    expect(seen).toEqual(['a', 'b', 'c']);
    const result = await e.run({ replicates: 2 });
    expect(recordsOf(result).map((r) => r.map((s) => s.step))).toEqual([
      ['Taga', 'Tagb', 'Tagc'],
      ['Taga', 'Tagb', 'Tagc'],
    ]);
  });

  it('unpacks withMetrics: metrics are recorded and the bare data flows on', async () => {
    const e = exp(new Pipeline([SumWithMetrics, ComputeSum]));
    const result = await e.run({ replicates: 2 });
    expect(result.metrics.baseline.metrics).toEqual({ total: [6, 6], count: [3, 3], sum: [6, 6] });
    await expect(e.apply()).resolves.toEqual([1, 2, 3]);
  });

  it('records every StepRecord field for each step', async () => {
    const e = exp(new Pipeline([ScaleData.with({ factor: 2 }), WritesKey.with({ offset: 1 })]));
    const result = await e.run();
    const [scale, writes] = recordsOf(result)[0]!;
    expect(Object.keys(scale!).sort()).toEqual(
      [
        'cacheHit',
        'ctxChanges',
        'inputHash',
        'outputHash',
        'params',
        'step',
        'cacheKey',
        'durationMs',
      ].sort(),
    );
    expect(scale!.durationMs).toBeGreaterThanOrEqual(0);
    expect(scale).toMatchObject({ step: 'ScaleData', params: { factor: 2 }, cacheHit: false });
    expect(scale!.ctxChanges).toEqual({ reads: [], wrote: {}, metrics: [] });
    // The output of one step is the input of the next.
    expect(writes!.inputHash).toBe(scale!.outputHash);
    expect(scale!.inputHash).not.toBe(scale!.outputHash);
    expect(scale!.cacheKey).not.toBe(writes!.cacheKey);
    expect(writes).toMatchObject({ step: 'WritesKey', params: { offset: 1 }, cacheHit: false });
    expect(writes!.ctxChanges.wrote).toEqual({ doubled: 6 });
    expect(writes!.ctxChanges.metrics).toEqual([
      { name: 'len', value: 3, tags: { kind: 'count' } },
    ]);
  });

  it('gives equal inputs equal hashes and different outputs different hashes', async () => {
    const e = exp(new Pipeline([ScaleData.with({ factor: 2 }), ComputeSum]));
    const result = await e.run({ replicates: 2 });
    const [r0, r1] = recordsOf(result);
    expect(r0![0]!.inputHash).toBe(r1![0]!.inputHash);
    expect(r0![0]!.outputHash).toBe(r1![0]!.outputHash);
    const other = await exp(new Pipeline([ScaleData.with({ factor: 3 }), ComputeSum])).run();
    expect(recordsOf(other)[0]![0]!.inputHash).toBe(r0![0]!.inputHash);
    expect(recordsOf(other)[0]![0]!.outputHash).not.toBe(r0![0]!.outputHash);
  });

  it('records context reads only in verbose mode', async () => {
    const quiet = await exp(new Pipeline([WritesKey])).run();
    expect(recordsOf(quiet)[0]![0]!.ctxChanges.reads).toEqual([]);
    const verbose = await exp(new Pipeline([WritesKey]), true).run();
    expect(recordsOf(verbose)[0]![0]!.ctxChanges.reads).toEqual(['scale_factor']);
    // An injected value taken from the context is a read too.
    const injected = await exp(new Pipeline([WritesKey]), true, { offset: 5 }).run();
    expect([...recordsOf(injected)[0]![0]!.ctxChanges.reads].sort()).toEqual([
      'offset',
      'scale_factor',
    ]);
  });

  it('records context reads in exp.debug()', async () => {
    const e = exp(new Pipeline([WritesKey]));
    const result = await e.debug();
    expect(recordsOf(result)[0]![0]!.ctxChanges.reads).toEqual(
      expect.arrayContaining(['scale_factor']),
    );
  });

  it('wraps a step failure into PipelineExecutionError naming the step, with the original as cause', async () => {
    const e = exp(new Pipeline([ScaleData, Fails, ComputeSum]));
    let error: unknown;
    try {
      await e.apply();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PipelineExecutionError);
    expect((error as PipelineExecutionError).stepName).toBe('Fails');
    expect((error as Error).message).toMatch(/Step 'Fails' failed.*boom in step/);
    expect((error as Error).cause).toBeInstanceOf(RangeError);
    expect(((error as Error).cause as Error).message).toBe('boom in step');

    const result = await e.run();
    const err = result.errors['baseline_rep_0'];
    expect(err).toBeInstanceOf(PipelineExecutionError);
    expect((err as PipelineExecutionError).stepName).toBe('Fails');
  });
});
