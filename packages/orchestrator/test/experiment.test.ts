import 'reflect-metadata';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataSource,
  type FrozenContext,
  PipelineExecutionError,
  PipelineStep,
  Step,
  type Treatment,
  ValidationError,
  hypothesis,
  treatment,
  verifier,
} from '@crystallize/core';
import {
  ArtifactPlugin,
  AsyncExecution,
  BaseOptimizer,
  Experiment,
  ExecutionPlugin,
  LoggingPlugin,
  type LoopOptions,
  Pipeline,
  type ReplicateFn,
  SeedPlugin,
  SerialExecution,
} from '@crystallize/orchestrator';
import {
  ComputeSum,
  Normalize,
  RecordingPlugin,
  ScaleData,
  quietPlugins,
  recordsOf,
  tempDir,
} from './helpers.js';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean difference treatment - baseline of each metric in the group. */
const meanDiff = verifier(
  (b, t, { scale }) => {
    const name = Object.keys(b)[0]!;
    return { diff: (mean(t[name]!) - mean(b[name]!)) * scale, p_value: 0.5 };
  },
  { scale: 1 },
  { name: 'meanDiff' },
);

function demo(extra: Partial<ConstructorParameters<typeof Experiment>[0]> = {}): Experiment {
  return new Experiment({
    name: 'demo',
    datasource: () => [1, 2, 3],
    pipeline: new Pipeline([ScaleData.with({ factor: 1.5 }), Normalize, ComputeSum]),
    plugins: quietPlugins(),
    cache: false,
    ...extra,
  });
}

describe('Experiment: the README demo', () => {
  it('gives { sum: [9, 9, 9] } for three replicates', async () => {
    const exp = demo();
    exp.validate();
    const result = await exp.run({ replicates: 3 });
    expect(result.metrics.baseline.metrics).toEqual({ sum: [9, 9, 9] });
    expect(result.errors).toEqual({});
    expect(result.provenance.replicates).toBe(3);
    expect(result.provenance.pipelineSignature).toBe(exp.pipeline.signature());
  });

  it('is built the same way by Experiment.builder', async () => {
    const built = Experiment.builder('demo')
      .datasource(() => [1, 2, 3])
      .addStep(ScaleData.with({ factor: 1.5 }))
      .addStep(Normalize)
      .addStep(ComputeSum)
      .plugins(quietPlugins())
      .treatments([treatment('double', { scale_factor: 2 })])
      .hypotheses([hypothesis({ verifier: meanDiff(), metrics: 'sum' }, (r) => r.diff)])
      .replicates(2)
      .initialCtx({ unused: 1 })
      .cache(false)
      .build();
    expect(built.name).toBe('demo');
    expect(built.replicates).toBe(2);
    expect(built.initialCtx).toEqual({ unused: 1 });
    expect(built.pipeline.signature()).toBe(demo().pipeline.signature());
    const result = await built.run();
    expect(result.metrics.baseline.metrics['sum']).toEqual([9, 9]);
    expect(result.metrics.treatments['double']!.metrics['sum']).toEqual([4.5, 4.5]);
    expect(result.getHypothesis('meanDiff:sum')!.results['double']).toEqual({
      diff: -4.5,
      p_value: 0.5,
    });
  });
});

class CountedSource extends DataSource<number[]> {
  override replicates = 4;
  fetch(): number[] {
    return [1, 2, 3];
  }
}

describe('Experiment: replicates', () => {
  it("takes the run option over the data source's own count over the experiment's", async () => {
    const own = demo({ datasource: new CountedSource(), replicates: 2 });
    expect((await own.run()).metrics.baseline.metrics['sum']).toHaveLength(4);
    expect((await own.run({ replicates: 3 })).metrics.baseline.metrics['sum']).toHaveLength(3);
    const plain = demo({ replicates: 2 });
    expect((await plain.run()).metrics.baseline.metrics['sum']).toHaveLength(2);
    expect((await demo().run()).metrics.baseline.metrics['sum']).toHaveLength(1);
  });
});

describe('Experiment: treatments and hypotheses', () => {
  it('runs each treatment as its own condition with its context values', async () => {
    const result = await demo({
      treatments: [
        treatment('double', { scale_factor: 2 }),
        treatment('fn', (ctx) => ctx.add('scale_factor', 3)),
      ],
    }).run({ replicates: 2 });
    expect(result.metrics.baseline.metrics['sum']).toEqual([9, 9]);
    expect(result.metrics.treatments['double']!.metrics['sum']).toEqual([4.5, 4.5]);
    expect(result.metrics.treatments['fn']!.metrics['sum']).toEqual([3, 3]);
  });

  it('lets a treatment named baseline modify the baseline instead of adding a condition', async () => {
    const result = await demo({
      treatments: [
        treatment('baseline', { scale_factor: 3 }),
        treatment('double', { scale_factor: 2 }),
      ],
    }).run();
    expect(result.metrics.baseline.metrics['sum']).toEqual([3]);
    expect(Object.keys(result.metrics.treatments)).toEqual(['double']);
    expect(result.metrics.treatments['double']!.metrics['sum']).toEqual([4.5]);
  });

  it('lets run options override treatments and hypotheses', async () => {
    const exp = demo({ treatments: [treatment('double', { scale_factor: 2 })] });
    const result = await exp.run({ treatments: [treatment('half', { scale_factor: 0.5 })] });
    expect(Object.keys(result.metrics.treatments)).toEqual(['half']);
    expect(result.metrics.treatments['half']!.metrics['sum']).toEqual([18]);
  });

  it('verifies hypotheses for every treatment and ranks them, lowest score first', async () => {
    const h = hypothesis(
      { verifier: meanDiff({ scale: 2 }), metrics: 'sum', name: 'gap' },
      (r) => r.diff,
    );
    const result = await demo({
      treatments: [
        treatment('half', { scale_factor: 0.5 }),
        treatment('double', { scale_factor: 2 }),
        treatment('same', { scale_factor: 1 }),
      ],
      hypotheses: [h],
    }).run({ replicates: 2 });
    const gap = result.getHypothesis('gap')!;
    expect(gap.results).toEqual({
      half: { diff: 18, p_value: 0.5 },
      double: { diff: -9, p_value: 0.5 },
      same: { diff: 0, p_value: 0.5 },
    });
    expect(gap.ranking).toEqual({
      best: 'double',
      ranked: [
        ['double', -9],
        ['same', 0],
        ['half', 18],
      ],
    });
    expect(gap.errors).toEqual({});
    expect(result.getHypothesis('nope')).toBeUndefined();
  });

  it('reports a verifier that throws in the hypothesis result and keeps the metrics', async () => {
    const broken = verifier(
      (): { p_value: number } => {
        throw new Error('verifier exploded');
      },
      {},
      { name: 'broken' },
    );
    const result = await demo({
      treatments: [treatment('double', { scale_factor: 2 })],
      hypotheses: [
        hypothesis({ verifier: broken(), metrics: 'sum' }, () => 0),
        hypothesis({ verifier: meanDiff(), metrics: 'sum', name: 'ok' }, (r) => r.diff),
        hypothesis({ verifier: meanDiff(), metrics: 'missing', name: 'missing' }, (r) => r.diff),
      ],
    }).run({ replicates: 2 });
    expect(result.metrics.baseline.metrics['sum']).toEqual([9, 9]);
    expect(result.metrics.treatments['double']!.metrics['sum']).toEqual([4.5, 4.5]);
    const h = result.getHypothesis('broken:sum')!;
    expect(h.errors['double']).toMatch(/verifier exploded/);
    expect(h.results).toEqual({});
    expect(result.getHypothesis('ok')!.results['double']).toEqual({ diff: -4.5, p_value: 0.5 });
    expect(result.getHypothesis('missing')!.errors['double']).toMatch(
      /MissingMetricError.*missing/,
    );
  });
});

describe('Experiment: plugins', () => {
  it('adds ArtifactPlugin, SeedPlugin and LoggingPlugin when absent', () => {
    const exp = new Experiment({ datasource: () => [1], pipeline: [ComputeSum] });
    expect(exp.plugin(ArtifactPlugin)).toBeInstanceOf(ArtifactPlugin);
    expect(exp.plugin(ArtifactPlugin)!.rootDir).toBe('data');
    expect(exp.plugin(SeedPlugin)).toBeInstanceOf(SeedPlugin);
    expect(exp.plugin(LoggingPlugin)).toBeInstanceOf(LoggingPlugin);
    expect(exp.plugins).toHaveLength(3);
    expect(exp.execution).toBeInstanceOf(SerialExecution);
  });

  it('keeps a plugin the user gave instead of adding a default one', () => {
    const seed = new SeedPlugin({ seed: 7 });
    const exp = new Experiment({ datasource: () => [1], pipeline: [ComputeSum], plugins: [seed] });
    expect(exp.plugins.filter((p) => p instanceof SeedPlugin)).toEqual([seed]);
    expect(exp.plugins).toHaveLength(3);
  });

  it('calls the lifecycle hooks in order', async () => {
    const events: string[] = [];
    class Hooked extends Step<number[], number[]> {
      override setup(): void {
        events.push('setup');
      }
      override teardown(): void {
        events.push('teardown');
      }
      @PipelineStep()
      run(data: number[]): number[] {
        events.push('run:Hooked');
        return data;
      }
    }
    const exp = new Experiment({
      name: 'hooks',
      datasource: (ctx) => {
        events.push(`datasource:${String(ctx.get('condition'))}`);
        return [1, 2, 3];
      },
      pipeline: [Hooked, ComputeSum],
      treatments: [treatment('t', { x: 1 })],
      plugins: [new RecordingPlugin(events), ...quietPlugins()],
      cache: false,
    });
    expect(events).toEqual(['initHook']);
    await exp.run({ replicates: 2 });
    const condition = (c: string, r: number) => [
      `beforeReplicate:${c}:${r}`,
      `datasource:${c}`,
      'beforeStep:Hooked',
      'run:Hooked',
      'afterStep:Hooked:ran',
      'beforeStep:ComputeSum',
      'afterStep:ComputeSum:ran',
    ];
    expect(events).toEqual([
      'initHook',
      'beforeRun:2xbaseline,t',
      'setup',
      ...condition('baseline', 0),
      ...condition('t', 0),
      ...condition('baseline', 1),
      ...condition('t', 1),
      'teardown',
      'afterRun:0',
    ]);
  });

  it('uses the last execution plugin given', async () => {
    const used: string[] = [];
    class Tagged extends ExecutionPlugin {
      constructor(readonly tag: string) {
        super();
      }
      async runExperimentLoop(
        _e: Experiment,
        run: ReplicateFn,
        options: LoopOptions,
      ): Promise<void> {
        used.push(this.tag);
        for (const r of [...options.replicates].reverse()) options.onReplicateDone(await run(r));
      }
    }
    const exp = demo({
      plugins: [new Tagged('first'), new AsyncExecution(), new Tagged('last'), ...quietPlugins()],
    });
    expect(exp.execution).toBeInstanceOf(Tagged);
    const result = await exp.run({ replicates: 3 });
    expect(used).toEqual(['last']);
    // Outcomes are put back in replicate order whatever order the strategy ran them in.
    expect(result.provenance.seeds['baseline']).toEqual([0, 1, 2].map((r) => 42 + r * 31337));
  });

  it('lets an exception in a plugin hook fail the run loudly', async () => {
    class Broken extends RecordingPlugin {
      override beforeRun(): void {
        throw new Error('plugin broke');
      }
    }
    await expect(demo({ plugins: [new Broken(), ...quietPlugins()] }).run()).rejects.toThrow(
      'plugin broke',
    );
  });
});

/** Fails for one condition and replicate, named by the context. */
class FailsOn extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    const when = ctx.get<string>('fail_on', '');
    if (when === `${String(ctx.get('condition'))}:${String(ctx.get('replicate'))}`)
      throw new TypeError(`planned failure at ${when}`);
    return data;
  }
}

describe('Experiment: failures', () => {
  function failing(failOn: string): Experiment {
    return new Experiment({
      name: 'failing',
      datasource: () => [1, 2, 3],
      pipeline: [FailsOn, ComputeSum],
      initialCtx: { fail_on: failOn },
      treatments: [treatment('double', { scale_factor: 2 })],
      plugins: quietPlugins(),
      cache: false,
    });
  }

  it('captures a failed baseline replicate as baseline_rep_N and skips that replicate’s treatments', async () => {
    const result = await failing('baseline:2').run({ replicates: 4 });
    expect(Object.keys(result.errors)).toEqual(['baseline_rep_2']);
    const err = result.errors['baseline_rep_2']!;
    expect(err).toBeInstanceOf(PipelineExecutionError);
    expect((err as PipelineExecutionError).stepName).toBe('FailsOn');
    expect(err.message).toMatch(/planned failure at baseline:2/);
    expect(result.metrics.baseline.metrics['sum']).toEqual([6, 6, 6]);
    // The treatment ran for replicates 0, 1 and 3 only.
    expect(result.metrics.treatments['double']!.metrics['sum']).toHaveLength(3);
    expect(Object.keys(result.provenance.ctxChanges['double']!)).toEqual(['0', '1', '3']);
    expect(Object.keys(result.provenance.ctxChanges['baseline']!)).toEqual(['0', '1', '3']);
  });

  it('captures a failed treatment replicate as <treatment>_rep_N while the others continue', async () => {
    const result = await failing('double:0').run({ replicates: 3 });
    expect(Object.keys(result.errors)).toEqual(['double_rep_0']);
    expect((result.errors['double_rep_0'] as PipelineExecutionError).stepName).toBe('FailsOn');
    expect(result.metrics.baseline.metrics['sum']).toEqual([6, 6, 6]);
    expect(result.metrics.treatments['double']!.metrics['sum']).toEqual([6, 6]);
  });

  it('captures a failing data source, naming it', async () => {
    const exp = demo({
      datasource: function broken() {
        throw new Error('no data today');
      },
    });
    const result = await exp.run({ replicates: 2 });
    expect(Object.keys(result.errors)).toEqual(['baseline_rep_0', 'baseline_rep_1']);
    expect(result.errors['baseline_rep_0']!.message).toMatch(/broken.*no data today/);
  });
});

describe('Experiment: validate()', () => {
  it('reports every problem at once', () => {
    const exp = new Experiment({
      name: 'bad name!',
      datasource: 42 as never,
      pipeline: [],
      replicates: 0,
      treatments: [treatment('a', { x: 1 }), treatment('a', { x: 2 }), {} as Treatment],
      plugins: [{} as never],
    });
    let error: unknown;
    try {
      exp.validate();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems.join('\n');
    expect(problems).toMatch(/at least one step/);
    expect(problems).toMatch(/datasource/);
    expect(problems).toMatch(/name "bad name!"/);
    expect(problems).toMatch(/replicates must be an integer >= 1, got 0/);
    expect(problems).toMatch(/treatment 'a' is defined twice/);
    expect(problems).toMatch(/treatments\[2\] is not a Treatment/);
    expect(problems).toMatch(/plugins\[0\] is not a plugin/);
    expect((error as ValidationError).problems.length).toBeGreaterThanOrEqual(7);
  });

  it('rejects hypotheses without treatments, and duplicate hypothesis names', () => {
    const h = hypothesis({ verifier: meanDiff(), metrics: 'sum', name: 'h' }, (r) => r.diff);
    expect(() => demo({ hypotheses: [h] }).validate()).toThrow(
      /hypotheses need at least one treatment/,
    );
    expect(() =>
      demo({ hypotheses: [h, h], treatments: [treatment('t', { x: 1 })] }).validate(),
    ).toThrow(/hypothesis 'h' is defined twice/);
    // A 'baseline' treatment is not something to compare against.
    expect(() =>
      demo({ hypotheses: [h], treatments: [treatment('baseline', { x: 1 })] }).validate(),
    ).toThrow(ValidationError);
  });

  it('validates run options too, and run() refuses an invalid plan', async () => {
    expect(() => demo().validate({ replicates: 1.5 })).toThrow(/replicates/);
    await expect(demo().run({ replicates: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(() => demo().validate()).not.toThrow();
  });
});

describe('Experiment: apply, debug, optimize', () => {
  it('apply() runs the pipeline once and returns its output', async () => {
    const exp = demo();
    await expect(exp.apply()).resolves.toEqual([1.5, 3, 4.5]);
    await expect(
      exp.apply({ treatment: treatment('double', { scale_factor: 2 }) }),
    ).resolves.toEqual([0.75, 1.5, 2.25]);
    await expect(exp.apply({ data: [10] })).resolves.toEqual([15]);
  });

  it('apply() seeds ctx.rng from the given seed', async () => {
    class Draw extends Step<unknown, number> {
      @PipelineStep()
      run(_d: unknown, ctx: FrozenContext): number {
        return ctx.rng.next() + ctx.get<number>('seed_used', -1) * 0;
      }
    }
    const exp = demo({ pipeline: [Draw] });
    const a = await exp.apply({ seed: 5 });
    expect(await exp.apply({ seed: 5 })).toBe(a);
    expect(await exp.apply({ seed: 6 })).not.toBe(a);
  });

  it('debug() runs one replicate serially with context reads recorded and stores nothing', async () => {
    const root = tempDir();
    const exp = demo({ plugins: quietPlugins(root), replicates: 5 });
    const result = await exp.debug(treatment('double', { scale_factor: 2 }));
    expect(result.metrics.baseline.metrics['sum']).toEqual([9]);
    expect(result.metrics.treatments['double']!.metrics['sum']).toEqual([4.5]);
    const normalize = recordsOf(result)[0]![1]!;
    expect(normalize.ctxChanges.reads).toContain('scale_factor');
    expect(result.dir).toBeUndefined();
    expect(readdirSync(root)).toEqual([]);
  });

  it('optimize() drives an ask/tell optimizer over treatments and returns the best', async () => {
    class Grid extends BaseOptimizer {
      readonly scored: [Treatment, number][] = [];
      #next = 0;
      constructor(readonly candidates: Treatment[]) {
        super({ metric: 'sum', direction: 'minimize' });
      }
      ask(): Treatment[] {
        return [this.candidates[this.#next++]!];
      }
      tell(values: readonly number[]): void {
        this.scored.push([this.candidates[this.#next - 1]!, values[0]!]);
      }
      getBestTreatment(): Treatment {
        const sign = this.objective.direction === 'minimize' ? 1 : -1;
        return [...this.scored].sort((a, b) => sign * (a[1] - b[1]))[0]![0];
      }
    }
    const grid = new Grid([1, 4, 2].map((s) => treatment(`s${s}`, { scale_factor: s })));
    const best = await demo().optimize(grid, 3, 2);
    expect(best.name).toBe('s4');
    expect(grid.scored.map(([t, v]) => [t.name, v])).toEqual([
      ['s1', 9],
      ['s4', 2.25],
      ['s2', 4.5],
    ]);
    await expect(demo().optimize(grid, 0)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('Experiment: identity and reruns', () => {
  it('runs the same experiment object twice without setup state leaking', async () => {
    class Stateful extends Step<number[], number[]> {
      seen = 0;
      override setup(): void {
        this.seen = 0;
      }
      @PipelineStep()
      run(data: number[], ctx: FrozenContext): number[] {
        // `this` is a per-call view: state lives on the prototype chain's instance.
        const self = Object.getPrototypeOf(this) as Stateful;
        self.seen += 1;
        ctx.metrics.add('seen', self.seen);
        return data;
      }
    }
    const root = tempDir();
    const exp = demo({ pipeline: [Stateful], plugins: quietPlugins(root) });
    const first = await exp.run({ replicates: 3 });
    const second = await exp.run({ replicates: 3 });
    expect(first.metrics.baseline.metrics['seen']).toEqual([1, 2, 3]);
    expect(second.metrics.baseline.metrics['seen']).toEqual([1, 2, 3]);
    expect(second.errors).toEqual({});
    expect(first).not.toBe(second);
    expect(existsSync(join(root, 'demo', 'v0', 'baseline', 'results.json'))).toBe(true);
  });

  it('does not carry errors or treatments of one run into the next', async () => {
    const exp = demo({ pipeline: [ScaleData, ComputeSum] });
    const bad = await exp.run({ treatments: [treatment('bad', { factor: 'not a number' })] });
    expect(Object.keys(bad.errors)).toEqual(['bad_rep_0']);
    expect(bad.errors['bad_rep_0']!.message).toMatch(/ScaleData.*'not a number'.*factor/);
    const good = await exp.run();
    expect(good.errors).toEqual({});
    expect(Object.keys(good.metrics.treatments)).toEqual([]);
  });

  it('has a stable id and default name derived from the pipeline, not the object', () => {
    const make = () =>
      new Experiment({
        datasource: () => [1, 2, 3],
        pipeline: new Pipeline([ScaleData.with({ factor: 1.5 }), Normalize, ComputeSum]),
      });
    const a = make();
    const b = make();
    expect(a.name).toMatch(/^experiment-[0-9a-f]{12}$/);
    expect(a.name).toBe(b.name);
    expect(a.id).toBe(b.id);
    const other = new Experiment({
      datasource: () => [1, 2, 3],
      pipeline: new Pipeline([ScaleData.with({ factor: 2 }), Normalize, ComputeSum]),
    });
    expect(other.name).not.toBe(a.name);
    expect(other.id).not.toBe(a.id);
    const named = new Experiment({ name: 'x', datasource: () => [1], pipeline: [ComputeSum] });
    expect(named.id).not.toBe(
      new Experiment({ name: 'y', datasource: () => [1], pipeline: [ComputeSum] }).id,
    );
  });
});
