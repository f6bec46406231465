import 'reflect-metadata';
import {
  CrystallizeError,
  DataSource,
  type FrozenContext,
  PipelineExecutionError,
  PipelineStep,
  Step,
  ValidationError,
  hypothesis,
  standaloneContext,
  treatment,
  verifier,
} from '@crystallize/core';
import {
  Experiment,
  Pipeline,
  Result,
  dataSource,
  getDatasource,
  listDatasources,
  quickExperiment,
  registerDatasource,
} from '@crystallize/orchestrator';
import { ComputeSum, Normalize, ScaleData, quietPlugins } from './helpers.js';

class FailOnRep1 extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    if (ctx.get('condition') === 'double' && ctx.get('replicate') === 1)
      throw new RangeError('double replicate 1 broke');
    return data;
  }
}

const diff = verifier(
  (b, t) => ({ diff: t['sum']![0]! - b['sum']![0]!, p_value: 0.25 }),
  {},
  { name: 'diff' },
);

async function sampleResult(): Promise<Result> {
  return new Experiment({
    name: 'results',
    datasource: () => [1, 2, 3],
    pipeline: new Pipeline([ScaleData.with({ factor: 2 }), Normalize, FailOnRep1, ComputeSum]),
    treatments: [
      treatment('double', { scale_factor: 2 }),
      treatment('half', { scale_factor: 0.5 }),
    ],
    hypotheses: [hypothesis({ verifier: diff(), metrics: 'sum', name: 'd' }, (r) => r.diff)],
    plugins: quietPlugins(),
    cache: false,
  }).run({ replicates: 2 });
}

describe('Result', () => {
  it('finds a hypothesis by name', async () => {
    const r = await sampleResult();
    expect(r.getHypothesis('d')!.results).toEqual({
      double: { diff: -6, p_value: 0.25 },
      half: { diff: 12, p_value: 0.25 },
    });
    expect(r.getHypothesis('d')!.ranking.best).toBe('double');
    expect(r.getHypothesis('other')).toBeUndefined();
  });

  it('prints the provenance tree in the order the format names', async () => {
    const r = await sampleResult();
    const full = r.printTree('treatment > replicate > step > action');
    const lines = full.split('\n');
    expect(lines[0]).toBe('baseline');
    expect(lines).toContain('├─ replicate 0');
    expect(full).toMatch(/ScaleData\n.*└─ ran\n/);
    expect(full).toMatch(/ComputeSum\n.*└─ ran; metrics sum/);
    expect(lines.filter((l) => /^[^\s├└│]/.test(l))).toEqual(['baseline', 'double', 'half']);

    const byStep = r.printTree('step > treatment');
    expect(byStep.split('\n').filter((l) => /^[^\s├└│]/.test(l))).toEqual([
      'ScaleData',
      'Normalize',
      'FailOnRep1',
      'ComputeSum',
    ]);
    expect(byStep).not.toMatch(/ran/);
    expect(r.printTree('replicate')).toBe('replicate 0\nreplicate 1');
    expect(r.printTree()).toBe(full);
  });

  it('rejects an invalid tree format with a ValidationError naming every problem', async () => {
    const r = await sampleResult();
    expect(() => r.printTree('treatment > bogus')).toThrow(ValidationError);
    let error: unknown;
    try {
      r.printTree('action > step > step');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems.join('\n');
    expect(problems).toMatch(/'action' must be the last level/);
    expect(problems).toMatch(/level 'step' appears twice/);
    expect(() => r.printTree('action')).toThrow(/at least one of treatment, replicate, step/);
  });

  it('round-trips through toJSON, JSON.stringify and Result.fromJSON', async () => {
    const r = await sampleResult();
    expect(Object.keys(r.errors)).toEqual(['double_rep_1']);
    const json = JSON.stringify(r.toJSON());
    const back = Result.fromJSON(json);
    expect(back).toBeInstanceOf(Result);
    expect(back.experiment).toBe('results');
    expect(back.metrics.baseline.metrics).toEqual(r.metrics.baseline.metrics);
    expect(back.metrics.treatments['half']!.metrics).toEqual(r.metrics.treatments['half']!.metrics);
    expect(back.metrics.treatments['double']!.metrics['sum']).toEqual([6]);
    expect(back.getHypothesis('d')!.results).toEqual(r.getHypothesis('d')!.results);
    expect(back.getHypothesis('d')!.ranking).toEqual(r.getHypothesis('d')!.ranking);
    expect(back.provenance).toEqual(r.provenance);
    expect(back.dir).toBe(r.dir);
    expect(back.artifacts).toEqual(r.artifacts);
    const err = back.errors['double_rep_1']!;
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(PipelineExecutionError);
    expect((err as PipelineExecutionError).stepName).toBe('FailOnRep1');
    expect(err.message).toBe(r.errors['double_rep_1']!.message);
    expect(err.message).toMatch(/double replicate 1 broke/);
    // The round trip is stable: a second one changes nothing.
    expect(
      JSON.stringify(Result.fromJSON(JSON.parse(json) as Record<string, unknown>).toJSON()),
    ).toBe(json);
    expect(back.printTree()).toBe(r.printTree());
  });

  it('round-trips a non-step error as a CrystallizeError with its message', () => {
    const r = new Result();
    r.errors['baseline_rep_0'] = new CrystallizeError('outside any step');
    const back = Result.fromJSON(JSON.stringify(r.toJSON()));
    expect(back.errors['baseline_rep_0']).toBeInstanceOf(CrystallizeError);
    expect(back.errors['baseline_rep_0']!.message).toBe('outside any step');
  });
});

describe('quickExperiment', () => {
  it('runs fn(config, ctx) per config and replicate and returns results per config', async () => {
    const out = await quickExperiment(
      (cfg: { lr: number }, ctx) => ({
        lr: cfg.lr,
        rep: ctx.get('replicate'),
        cond: ctx.get('condition'),
      }),
      { low: { lr: 0.1 }, high: { lr: 1 } },
      2,
    );
    expect(out).toEqual({
      low: [
        { lr: 0.1, rep: 0, cond: 'low' },
        { lr: 0.1, rep: 1, cond: 'low' },
      ],
      high: [
        { lr: 1, rep: 0, cond: 'high' },
        { lr: 1, rep: 1, cond: 'high' },
      ],
    });
  });

  it('seeds like an experiment: reproducible, the seed changes the draws, Math.random restored', async () => {
    const before = Math.random;
    const draw = (_c: object, ctx: FrozenContext) => [
      ctx.rng.next(),
      Math.random(),
      ctx.get('seed_used'),
    ];
    const a = await quickExperiment(draw, undefined, 3);
    const b = await quickExperiment(draw, undefined, 3);
    expect(Math.random).toBe(before);
    expect(b).toEqual(a);
    expect(a['baseline']!.map((x) => x[2])).toEqual([42, 42 + 31337, 42 + 2 * 31337]);
    const c = await quickExperiment(draw, undefined, 3, { seed: 9 });
    expect(c['baseline']![0]![0]).not.toBe(a['baseline']![0]![0]);
    expect(c['baseline']![0]![2]).toBe(9);
  });

  it('rejects a bad replicate count', async () => {
    await expect(quickExperiment(() => 1, undefined, 0)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('data-source registry', () => {
  it('registers, looks up and lists data sources by name', async () => {
    const ds = registerDatasource('reg-numbers', () => [1, 2]);
    expect(ds).toBeInstanceOf(DataSource);
    expect(getDatasource('reg-numbers')).toBe(ds);
    expect(await getDatasource('reg-numbers').fetch(standaloneContext())).toEqual([1, 2]);
    expect(listDatasources()).toContain('reg-numbers');
    expect(() => registerDatasource('reg-numbers', () => [3])).toThrow(/already registered/);
    expect(() => getDatasource('reg-missing')).toThrow(
      /No data source named 'reg-missing'.*reg-numbers/,
    );
  });

  it('dataSource(fn, { register }) names a source by the function or a given name', async () => {
    const plain = dataSource(function regUnregistered() {
      return 1;
    });
    expect(listDatasources()).not.toContain('regUnregistered');
    expect(await plain.fetch(standaloneContext())).toBe(1);
    const named = dataSource(
      function regByFunction() {
        return [7];
      },
      { register: true },
    );
    expect(getDatasource('regByFunction')).toBe(named);
    const custom = dataSource(() => [8], { register: 'reg-custom' });
    expect(getDatasource('reg-custom')).toBe(custom);
    expect(listDatasources()).toEqual([...listDatasources()].sort());
    // A registered source drives an experiment like any other.
    const r = await new Experiment({
      name: 'registered',
      datasource: getDatasource('regByFunction'),
      pipeline: [ComputeSum],
      plugins: quietPlugins(),
      cache: false,
    }).run();
    expect(r.metrics.baseline.metrics['sum']).toEqual([7]);
  });
});
