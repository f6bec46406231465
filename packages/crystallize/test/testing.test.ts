import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Experiment,
  FrozenContext,
  Param,
  Pipeline,
  PipelineStep,
  Result,
  Step,
  hypothesis,
  treatment,
  welchTTest,
  withMetrics,
} from 'crystallize';
import {
  createTempRoot,
  runExperiment,
  runStep,
  toBeSignificant,
  toHaveNoErrors,
  useTempRoot,
} from 'crystallize/testing';

class Clip extends Step<number[], number[]> {
  @Param({ key: 'clip_max' }) max!: number;

  @PipelineStep()
  run(data: number[]) {
    const kept = data.filter((x) => x <= this.max);
    return withMetrics(kept, { clipped: data.length - kept.length });
  }
}

class Noisy extends Step<number[], number[]> {
  @Param() shift = 0;

  @PipelineStep()
  run(data: number[], ctx: FrozenContext) {
    return data.map((x) => x + this.shift + ctx.rng.normal(0, 1));
  }
}

class Double extends Step<number[], number[]> {
  @PipelineStep({ cacheable: true })
  run(data: number[]) {
    return data.map((x) => x * 2);
  }
}

class Sum extends Step<number[], number> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext) {
    const total = data.reduce((a, b) => a + b, 0);
    ctx.metrics.add('sum', total);
    return total;
  }
}

class Draw extends Step<null, number[]> {
  @PipelineStep()
  run(_data: null, ctx: FrozenContext) {
    return [ctx.rng.next(), Math.random()];
  }
}

class FailsOnOddReplicate extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext) {
    if (ctx.get('replicate', 0) % 2 === 1) throw new Error('odd replicate refused');
    return data;
  }
}

const shiftTest = (name: string) =>
  hypothesis({ name, verifier: welchTTest(), metrics: 'sum' }, (r) => r.p_value);

function shiftExperiment(): Experiment {
  return new Experiment({
    name: 'testing-shift',
    datasource: () => [1, 2, 3, 4],
    pipeline: new Pipeline([Double, Noisy, Sum]),
    treatments: [treatment('big', { shift: 5 }), treatment('tiny', { shift: 0.001 })],
    hypotheses: [shiftTest('shift_matters')],
    replicates: 6,
  });
}

describe('runStep', () => {
  it('runs a step with injection from the given context values and returns output and metrics', async () => {
    const { output, metrics } = await runStep(new Clip(), [1, 2, 3, 4], { clip_max: '2' });
    expect(output).toEqual([1, 2]);
    expect(metrics).toEqual({ clipped: [2] });
  });

  it('accepts a step class or Step.with(...) factory', async () => {
    expect((await runStep(Clip, [5, 1], { clip_max: 3 })).output).toEqual([1]);
    expect((await runStep(Clip.with({ max: 5 }), [5, 6], {})).output).toEqual([5]);
  });

  it('gives the same ctx.rng and Math.random numbers on every call and restores Math.random', async () => {
    const random = Math.random;
    const a = await runStep(Draw, null);
    const b = await runStep(Draw, null);
    const c = await runStep(Draw, null, {}, { seed: 7 });
    expect(a.output).toEqual(b.output);
    expect(c.output).not.toEqual(a.output);
    expect(Math.random).toBe(random);
  });
});

describe('runExperiment', () => {
  it('runs an experiment in a temporary root and removes it afterwards', async () => {
    const result = await runExperiment(shiftExperiment());
    expect(result).toBeInstanceOf(Result);
    expect(result.metrics.baseline.metrics['sum']).toHaveLength(6);
    expect(result.dir).toBeDefined();
    expect(existsSync(result.dir ?? '')).toBe(false);
  });

  it('never writes into the experiment’s own data folder or cache', async () => {
    const exp = shiftExperiment();
    const root = createTempRoot();
    try {
      const result = await runExperiment(exp, { root });
      expect(result.dir?.startsWith(join(root.dataDir, 'testing-shift'))).toBe(true);
      expect(existsSync(join(root.dataDir, 'testing-shift', 'v0', 'metadata.json'))).toBe(true);
      expect(existsSync(root.cacheDir)).toBe(true);
      expect(existsSync(join(process.cwd(), 'data', 'testing-shift'))).toBe(false);
    } finally {
      root.cleanup();
    }
  });

  it('gives identical metrics on two runs (fixed seed) and other metrics with another seed', async () => {
    const a = await runExperiment(shiftExperiment());
    const b = await runExperiment(shiftExperiment());
    const c = await runExperiment(shiftExperiment(), { seed: 99 });
    expect(a.metrics.baseline.metrics).toEqual(b.metrics.baseline.metrics);
    expect(c.metrics.baseline.metrics).not.toEqual(a.metrics.baseline.metrics);
  });

  it('accepts ExperimentOptions and run overrides', async () => {
    const result = await runExperiment(
      { datasource: () => [1, 2], pipeline: [Sum] },
      { replicates: 2 },
    );
    expect(result.metrics.baseline.metrics).toEqual({ sum: [3, 3] });
  });

  describe('useTempRoot', () => {
    const root = useTempRoot();
    it('keeps the stored run under the registered root for the test to read', async () => {
      const result = await runExperiment(shiftExperiment(), { root });
      expect(existsSync(join(result.dir ?? '', 'metadata.json'))).toBe(true);
    });
  });
});

describe('matchers', () => {
  it('registers toBeSignificant and toHaveNoErrors with the global expect on import', async () => {
    const result = await runExperiment(shiftExperiment());
    expect(result).toHaveNoErrors();
    expect(result).toBeSignificant('shift_matters', 'big');
    expect(result).not.toBeSignificant('shift_matters', 'tiny');
    expect(result).toBeSignificant('shift_matters', 'big', { alpha: 0.001 });
  });

  it('fails toHaveNoErrors with a message listing every failed replicate', async () => {
    const result = await runExperiment({
      name: 'testing-failing',
      datasource: () => [1],
      pipeline: [FailsOnOddReplicate, Sum],
      replicates: 4,
    });
    const outcome = toHaveNoErrors.call({ isNot: false }, result);
    expect(outcome.pass).toBe(false);
    const message = outcome.message();
    expect(message).toContain("the run of 'testing-failing' to have no errors, but it had 2");
    expect(message).toMatch(/baseline_rep_1: PipelineExecutionError: .*odd replicate refused/);
    expect(message).toMatch(/baseline_rep_3: PipelineExecutionError: .*odd replicate refused/);
    expect(() => expect(result).toHaveNoErrors()).toThrow(/odd replicate refused/);
  });

  it('fails toBeSignificant with the p-values in the message', async () => {
    const result = await runExperiment(shiftExperiment());
    const outcome = toBeSignificant.call({ isNot: false }, result, 'shift_matters', 'tiny');
    expect(outcome.pass).toBe(false);
    expect(outcome.message()).toMatch(
      /expected treatment 'tiny' of hypothesis 'shift_matters' to be significant \(by the verifier's verdict\), but p = [0-9.e-]+, effect size = .*significant = false/,
    );
    expect(() => expect(result).toBeSignificant('shift_matters', 'tiny')).toThrow(/p = /);
  });

  it('names the available hypotheses and treatments when the asked one does not exist', async () => {
    const result = await runExperiment(shiftExperiment());
    expect(toBeSignificant(result, 'nope', 'big').message()).toContain(
      "no hypothesis 'nope' (hypotheses: 'shift_matters')",
    );
    expect(toBeSignificant(result, 'shift_matters', 'huge').message()).toContain(
      "no result for treatment 'huge' (treatments tested: 'big', 'tiny')",
    );
  });

  it('rejects a value that is not a Result with a message saying what it expected', () => {
    expect(toHaveNoErrors(42).message()).toContain('expected a crystallize Result');
    expect(() => expect({ a: 1 }).toHaveNoErrors()).toThrow(/expected a crystallize Result/);
  });
});
