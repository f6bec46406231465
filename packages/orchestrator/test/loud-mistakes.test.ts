/*
 * Issue #10 points 8-11: user mistakes that used to pass unseen are loud — reserved context keys,
 * treatment keys nothing read, hypotheses on metrics nobody recorded, conditions whose every
 * replicate failed.
 */
import 'reflect-metadata';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FrozenContext,
  Param,
  PipelineStep,
  RESERVED_CONTEXT_KEYS,
  Step,
  ValidationError,
  hypothesis,
  treatment,
  verifier,
} from '@crystallize/core';
import {
  ArtifactPlugin,
  AsyncExecution,
  Experiment,
  LoggingPlugin,
  type ParallelExecution,
  Result,
  SerialExecution,
  type ExecutionPlugin,
} from '@crystallize/orchestrator';
import { ComputeSum, FileStepCache, quietPlugins, tempDir } from './helpers.js';

class Affine extends Step<number[], number[]> {
  @Param() shift = 0;
  @Param() scale = 1;
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    const offset = ctx.get('offset', 0);
    return data.map((x) => x * this.scale + this.shift + offset);
  }
}

class FailsOn extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    if (ctx.get('condition') === ctx.get('fail_condition', 'none'))
      throw new Error(`boom in ${String(ctx.get('condition'))}`);
    return data;
  }
}

const diff = verifier((b, t) => {
  const name = Object.keys(b)[0] as string;
  const m = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  return { diff: m(t[name] as number[]) - m(b[name] as number[]), p_value: 0.5 };
}, {});

function logLines(root: string, name: string): { level: number; msg: string }[] {
  return readFileSync(join(root, name, 'v0', 'run.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string });
}

function loggedPlugins(root: string) {
  return [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })];
}

describe('reserved context keys', () => {
  it.each(RESERVED_CONTEXT_KEYS.map((k) => [k]))(
    "rejects a treatment that sets the reserved key '%s', naming key and treatment",
    (key) => {
      const exp = new Experiment({
        name: 'reserved',
        datasource: () => [1],
        pipeline: [Affine, ComputeSum],
        treatments: [treatment('sneaky', { [key]: 3 })],
        plugins: quietPlugins(),
        cache: false,
      });
      expect(() => exp.validate()).toThrow(ValidationError);
      expect(() => exp.validate()).toThrow(
        new RegExp(`treatment 'sneaky' sets reserved key '${key}'`),
      );
    },
  );

  it('rejects an initial context that sets a reserved key, and run() refuses it', async () => {
    const exp = new Experiment({
      name: 'reserved-init',
      datasource: () => [1],
      pipeline: [Affine, ComputeSum],
      initialCtx: { replicate: 5 },
      plugins: quietPlugins(),
      cache: false,
    });
    expect(() => exp.validate()).toThrow(/initialCtx sets reserved key 'replicate'/);
    await expect(exp.run()).rejects.toThrow(ValidationError);
  });

  it('rejects a run-option treatment that sets a reserved key', async () => {
    const exp = new Experiment({
      name: 'reserved-opt',
      datasource: () => [1],
      pipeline: [Affine, ComputeSum],
      plugins: quietPlugins(),
      cache: false,
    });
    await expect(exp.run({ treatments: [treatment('t', { seed_used: 1 })] })).rejects.toThrow(
      /treatment 't' sets reserved key 'seed_used'/,
    );
  });

  it('fails a function treatment that adds a reserved key with a ValidationError naming both', async () => {
    const exp = new Experiment({
      name: 'reserved-fn',
      datasource: () => [1],
      pipeline: [Affine, ComputeSum],
      treatments: [treatment('fn', (ctx) => ctx.add('condition', 'other'))],
      plugins: quietPlugins(),
      cache: false,
    });
    const result = await exp.run();
    const err = result.errors['fn_rep_0'];
    expect(err).toBeInstanceOf(ValidationError);
    expect(err?.message).toMatch(/treatment 'fn' sets reserved key 'condition'/);
    expect(result.ok).toBe(false);
  });
});

const executions: [string, () => ExecutionPlugin][] = [
  ['serial', () => new SerialExecution()],
  ['async', () => new AsyncExecution({ concurrency: 2 })],
];

describe.each(executions)('unused treatment keys (%s)', (_label, execution) => {
  it('warns at the end of the run about a key no step read, with a nearest-name suggestion', async () => {
    const root = tempDir();
    const exp = new Experiment({
      name: 'unused',
      datasource: () => [1, 2],
      pipeline: [Affine, ComputeSum],
      treatments: [treatment('typo', { shfit: 1 }), treatment('good', { shift: 1 })],
      plugins: [execution(), ...loggedPlugins(root)],
      cache: false,
    });
    const result = await exp.run({ replicates: 2 });
    expect(result.unusedTreatmentKeys).toEqual([
      { treatment: 'typo', key: 'shfit', suggestion: 'shift' },
    ]);
    const warn = logLines(root, 'unused').filter((l) => l.level === 40);
    expect(warn.map((l) => l.msg)).toContain(
      "'shfit' was set by treatment 'typo' but no step read it — did you mean 'shift'?",
    );
    // The unused key is reported, but the numbers themselves are fine.
    expect(result.ok).toBe(true);
  });

  it('counts ctx.get reads, @Param injection and data source reads as uses', async () => {
    const exp = new Experiment({
      name: 'used',
      datasource: (ctx) => [ctx.get('n', 1)],
      pipeline: [Affine, ComputeSum],
      treatments: [treatment('all-read', { shift: 1, offset: 2, n: 3 })],
      plugins: [execution(), ...quietPlugins()],
      cache: false,
    });
    const result = await exp.run();
    expect(result.unusedTreatmentKeys).toEqual([]);
    expect(result.metrics.treatments['all-read']?.metrics).toEqual({ sum: [6] });
  });

  it('reports a key an explicit parameter shadows (Step.with) as unused', async () => {
    const exp = new Experiment({
      name: 'shadowed',
      datasource: () => [1],
      pipeline: [Affine.with({ shift: 5 }), ComputeSum],
      treatments: [treatment('ignored', { shift: 1 })],
      plugins: [execution(), ...quietPlugins()],
      cache: false,
    });
    const result = await exp.run();
    expect(result.unusedTreatmentKeys).toEqual([{ treatment: 'ignored', key: 'shift' }]);
  });

  it('reports a key only a cached step body reads: the cached output ignored it', async () => {
    class CachedOffset extends Step<number[], number[]> {
      @PipelineStep({ cacheable: true })
      run(data: number[], ctx: FrozenContext): number[] {
        return data.map((x) => x + ctx.get('offset', 0));
      }
    }
    const exp = new Experiment({
      name: 'cached-read',
      datasource: () => [1],
      pipeline: [CachedOffset, ComputeSum],
      treatments: [treatment('offset', { offset: 10 })],
      plugins: [execution(), ...quietPlugins()],
      cache: new FileStepCache(),
    });
    const result = await exp.run();
    // The treatment's condition was served the baseline's entry: offset changed nothing.
    expect(result.metrics.treatments['offset']?.metrics).toEqual({ sum: [1] });
    expect(result.unusedTreatmentKeys).toEqual([{ treatment: 'offset', key: 'offset' }]);
  });

  it('checks keys a function treatment adds, and a key far from every name gets no suggestion', async () => {
    const exp = new Experiment({
      name: 'unused-fn',
      datasource: () => [1],
      pipeline: [Affine, ComputeSum],
      treatments: [treatment('fn', (ctx) => ctx.add('learning_rate', 0.1))],
      plugins: [execution(), ...quietPlugins()],
      cache: false,
    });
    const result = await exp.run();
    expect(result.unusedTreatmentKeys).toEqual([{ treatment: 'fn', key: 'learning_rate' }]);
  });

  it('keeps unusedTreatmentKeys through toJSON/fromJSON', async () => {
    const exp = new Experiment({
      name: 'unused-json',
      datasource: () => [1],
      pipeline: [Affine, ComputeSum],
      treatments: [treatment('typo', { scael: 2 })],
      plugins: [execution(), ...quietPlugins()],
      cache: false,
    });
    const result = await exp.run();
    const back = Result.fromJSON(JSON.parse(JSON.stringify(result.toJSON())));
    expect(back.unusedTreatmentKeys).toEqual([
      { treatment: 'typo', key: 'scael', suggestion: 'scale' },
    ]);
  });
});

describe('hypotheses on metrics nobody recorded', () => {
  const typo = () => hypothesis({ verifier: diff(), metrics: 'summ', name: 'typo' });

  it('fails the hypothesis loudly at the end of the run: error log line, error on the result, ok false', async () => {
    const root = tempDir();
    const exp = new Experiment({
      name: 'missing-metric',
      datasource: () => [1, 2],
      pipeline: [Affine, ComputeSum],
      treatments: [treatment('shifted', { shift: 1 })],
      hypotheses: [typo()],
      plugins: loggedPlugins(root),
      cache: false,
    });
    const result = await exp.run();
    expect(result.ok).toBe(false);
    expect(result.getHypothesis('typo')?.errors['shifted']).toMatch(
      /MissingMetricError: Metric 'summ' is missing.*Recorded metrics: 'sum'/,
    );
    expect(result.failures.hypotheses).toEqual([
      { name: 'typo', errors: { shifted: expect.stringMatching(/'summ'/) } },
    ]);
    const lines = logLines(root, 'missing-metric');
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg).join('\n')).toMatch(/hypothesis 'typo' failed: .*'summ'/);
    expect(lines.at(-1)).toMatchObject({
      level: 40,
      msg: expect.stringMatching(/failed hypotheses: 'typo'; result\.ok is false/),
    });
  });

  it('fails a hypothesis on every metric when the baseline recorded none', async () => {
    class NoMetrics extends Step<number[], number[]> {
      @PipelineStep()
      run(data: number[]): number[] {
        return data;
      }
    }
    const result = await new Experiment({
      name: 'no-metrics',
      datasource: () => [1],
      pipeline: [NoMetrics],
      treatments: [treatment('t', {})],
      hypotheses: [hypothesis({ verifier: diff(), name: 'all' })],
      plugins: quietPlugins(),
      cache: false,
    }).run();
    expect(result.ok).toBe(false);
    expect(result.getHypothesis('all')?.errors['t']).toMatch(/recorded none/);
  });

  it('is reported up front by validate() when a stored run of the same pipeline shows the recorded metrics', async () => {
    const root = tempDir();
    const make = (h: ReturnType<typeof hypothesis>[]) =>
      new Experiment({
        name: 'known-metrics',
        datasource: () => [1, 2],
        pipeline: [Affine, ComputeSum],
        treatments: [treatment('shifted', { shift: 1 })],
        hypotheses: h,
        plugins: loggedPlugins(root),
        cache: false,
      });
    // Nothing stored yet: the names are not knowable, validate() passes.
    expect(() => make([typo()]).validate()).not.toThrow();
    await make([]).run();
    expect(() => make([typo()]).validate()).toThrow(
      /hypothesis 'typo' tests metric 'summ', which the last stored run .* never recorded \(recorded: 'sum'\)/,
    );
    await expect(make([typo()]).run()).rejects.toThrow(ValidationError);
    expect(() =>
      make([hypothesis({ verifier: diff(), metrics: 'sum', name: 'ok' })]).validate(),
    ).not.toThrow();
  });
});

describe('failed conditions', () => {
  it('ends a run whose every replicate of a condition failed with an error summary and ok false', async () => {
    const root = tempDir();
    const exp = new Experiment({
      name: 'all-failed',
      datasource: () => [1],
      pipeline: [FailsOn, ComputeSum],
      treatments: [treatment('broken', { fail_condition: 'broken' }), treatment('fine', {})],
      plugins: loggedPlugins(root),
      cache: false,
    });
    const result = await exp.run({ replicates: 3 });
    expect(result.ok).toBe(false);
    expect(result.failures.conditions).toEqual([
      {
        condition: 'broken',
        failed: 3,
        skipped: 0,
        total: 3,
        firstError: "Step 'FailsOn' failed: boom in broken",
      },
    ]);
    const meta = JSON.parse(readFileSync(join(root, 'all-failed', 'v0', 'metadata.json'), 'utf8'));
    expect(meta.ok).toBe(false);
    const errors = logLines(root, 'all-failed').filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg)).toContainEqual(
      expect.stringMatching(/condition 'broken': every replicate failed \(3\/3\)/),
    );
  });

  it('counts treatments skipped because their baseline failed', async () => {
    const exp = new Experiment({
      name: 'baseline-failed',
      datasource: () => [1],
      pipeline: [FailsOn, ComputeSum],
      initialCtx: { fail_condition: 'baseline' },
      treatments: [treatment('t', { x: 1 })],
      plugins: quietPlugins(),
      cache: false,
    });
    const result = await exp.run({ replicates: 2 });
    expect(result.ok).toBe(false);
    expect(result.failures.conditions).toEqual([
      expect.objectContaining({ condition: 'baseline', failed: 2, skipped: 0, total: 2 }),
      expect.objectContaining({ condition: 't', failed: 0, skipped: 2, total: 2 }),
    ]);
  });

  it('is ok with empty failures when everything ran, and ok survives toJSON/fromJSON', async () => {
    const good = await new Experiment({
      name: 'all-good',
      datasource: () => [1],
      pipeline: [Affine, ComputeSum],
      plugins: quietPlugins(),
      cache: false,
    }).run();
    expect(good.ok).toBe(true);
    expect(good.failures).toEqual({ conditions: [], hypotheses: [] });
    expect(Result.fromJSON(JSON.stringify(good.toJSON())).ok).toBe(true);

    const bad = await new Experiment({
      name: 'bad-json',
      datasource: () => [1],
      pipeline: [FailsOn, ComputeSum],
      initialCtx: { fail_condition: 'baseline' },
      plugins: quietPlugins(),
      cache: false,
    }).run();
    const back = Result.fromJSON(JSON.stringify(bad.toJSON()));
    expect(back.ok).toBe(false);
    expect(back.failures.conditions[0]).toMatchObject({ condition: 'baseline', failed: 1 });
  });
});

/** Worker pools of the parallel fixtures, closed once every test has run. */
afterAll(async () => {
  const { unusedKeyParallelExp, verboseParallelExp, UNUSED_ROOT } =
    await import('./fixtures/unused-key-experiments.js');
  await (unusedKeyParallelExp.execution as ParallelExecution).close();
  await (verboseParallelExp.execution as ParallelExecution).close();
  rmSync(UNUSED_ROOT, { recursive: true, force: true });
}, 60_000);

describe('unused treatment keys (parallel)', () => {
  it('reports a key no worker read: the read keys travel back with each replicate', async () => {
    const { unusedKeyParallelExp } = await import('./fixtures/unused-key-experiments.js');
    const result = await unusedKeyParallelExp.run({ replicates: 2 });
    expect(result.errors).toEqual({});
    expect(result.metrics.treatments['good']?.metrics).toEqual({ sum: [7, 7] });
    expect(result.unusedTreatmentKeys).toEqual([
      { treatment: 'typo', key: 'shfit', suggestion: 'shift' },
    ]);
  }, 60_000);
});

describe('reserved context keys in apply()', () => {
  it('rejects a treatment given to apply() that sets a reserved key', async () => {
    const exp = new Experiment({
      name: 'reserved-apply',
      datasource: () => [1],
      pipeline: [Affine, ComputeSum],
      plugins: quietPlugins(),
      cache: false,
    });
    await expect(exp.apply({ treatment: treatment('t', { replicate: 9 }) })).rejects.toThrow(
      /treatment 't' sets reserved key 'replicate'/,
    );
  });
});

describe('LoggingPlugin({ verbose: true }) under ParallelExecution', () => {
  it('logs one line per step call run in a worker thread, with its duration', async () => {
    const { verboseParallelExp, UNUSED_ROOT } =
      await import('./fixtures/unused-key-experiments.js');
    await verboseParallelExp.run({ replicates: 2 });
    const lines = readFileSync(
      join(UNUSED_ROOT, 'data', 'verbose-parallel', 'v0', 'run.log'),
      'utf8',
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['step'] === 'Shift');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(typeof l['durationMs']).toBe('number');
  }, 60_000);
});
