import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FrozenContext,
  Param,
  PipelineExecutionError,
  PipelineStep,
  Step,
  ValidationError,
  hashValue,
  pipelineStep,
  treatment,
} from '@crystallize/core';
import {
  Artifact,
  ArtifactPlugin,
  Experiment,
  LoggingPlugin,
  Pipeline,
  type BasePlugin,
  type StepNodeSpec,
} from '@crystallize/orchestrator';
import { FileStepCache, RecordingPlugin, recordsOf, tempDir } from './helpers.js';
import { readStoredRun } from '@crystallize/orchestrator/internal';

class Load extends Step<unknown, number[]> {
  @PipelineStep()
  run(data: unknown): number[] {
    return [...(data as number[]), 10];
  }
}

class Double extends Step<number[], number[]> {
  @PipelineStep({ cacheable: true })
  run(data: number[], ctx: FrozenContext): number[] {
    ctx.metrics.add('branch', 'double');
    return data.map((x) => x * 2);
  }
}

class Negate extends Step<number[], number[]> {
  @PipelineStep({ cacheable: true })
  run(data: number[], ctx: FrozenContext): number[] {
    ctx.metrics.add('branch', 'negate');
    return data.map((x) => -x);
  }
}

class Join extends Step<{ left: number[]; right: number[] }, number> {
  @PipelineStep()
  run(data: { left: number[]; right: number[] }, ctx: FrozenContext): number {
    const total = [...data.left, ...data.right].reduce((a, b) => a + b, 0);
    ctx.metrics.add('total', total);
    ctx.metrics.add('keys', Object.keys(data).sort().join(','));
    return total;
  }
}

type Branch = StepNodeSpec['step'];

/** load → (left, right) → join; the branches are Double and Negate unless given. */
function diamond(left: Branch = Double, right: Branch = Negate): Pipeline {
  return new Pipeline({
    load: Load,
    left: { step: left, after: 'load' },
    right: { step: right, after: 'load' },
    join: { step: Join, after: ['left', 'right'] },
  });
}

function plugins(root = tempDir(), ...more: BasePlugin[]): BasePlugin[] {
  return [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' }), ...more];
}

function problemsOf(build: () => unknown): readonly string[] {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).problems;
  }
  throw new Error('expected a ValidationError');
}

describe('branching pipelines: construction', () => {
  it('orders the nodes so every node comes after its upstreams, and keeps the array form linear', () => {
    const p = diamond();
    const names = p.graph!.nodes.map((n) => n.name);
    expect(names[0]).toBe('load');
    expect(names[3]).toBe('join');
    expect(names.slice(1, 3).sort()).toEqual(['left', 'right']);
    expect(p.graph!.sink).toBe('join');
    expect(p.steps.map((s) => s.name)).toEqual(p.graph!.nodes.map((n) => n.step.name));
    expect(p.describe()).toContain('join=Join<-left,right');
    expect(new Pipeline([Load, Double]).graph).toBeUndefined();
    expect(new Pipeline([Load, Double]).describe()).toBe('Load>Double');
  });

  it('gives the pipeline a signature that changes with the wiring, not only the steps', () => {
    const swapped = diamond(Negate, Double);
    expect(diamond().signature()).toBe(diamond().signature());
    expect(swapped.signature()).not.toBe(diamond().signature());
    expect(diamond().signature()).not.toBe(new Pipeline([Load, Double, Negate, Join]).signature());
  });

  it('rejects a cycle, naming the nodes in it', () => {
    const problems = problemsOf(
      () =>
        new Pipeline({
          load: Load,
          a: { step: Double, after: ['load', 'b'] },
          b: { step: Negate, after: 'a' },
          out: { step: Join, after: 'b' },
        }),
    );
    expect(problems.join('\n')).toMatch(/'a'.*'b'.*form a cycle|'b'.*'a'.*form a cycle/);
  });

  it('rejects a node that depends on itself', () => {
    const problems = problemsOf(() => new Pipeline({ only: { step: Load, after: 'only' } }));
    expect(problems.join('\n')).toMatch(/'only' form a cycle/);
  });

  it('rejects an unknown upstream name, naming the node and the name', () => {
    const problems = problemsOf(
      () => new Pipeline({ load: Load, left: { step: Double, after: 'lod' } }),
    );
    expect(problems).toEqual([expect.stringMatching(/node 'left'.*unknown node 'lod'/)]);
  });

  it('rejects several sinks, naming them', () => {
    const problems = problemsOf(
      () =>
        new Pipeline({
          load: Load,
          left: { step: Double, after: 'load' },
          right: { step: Negate, after: 'load' },
        }),
    );
    expect(problems).toEqual([expect.stringMatching(/several sinks \('left', 'right'\)/)]);
  });

  it('rejects an empty node object and junk steps, naming the node', () => {
    expect(() => new Pipeline({})).toThrow(/at least one step/);
    const problems = problemsOf(() => new Pipeline({ load: 42 as never }));
    expect(problems.join()).toMatch(/pipeline node 'load': 42 is not a step/);
  });
});

describe('branching pipelines: running', () => {
  function exp(
    pipeline: Pipeline,
    more: Partial<ConstructorParameters<typeof Experiment>[0]> = {},
  ) {
    return new Experiment({
      name: 'dag',
      datasource: () => [1, 2],
      pipeline,
      plugins: plugins(),
      cache: false,
      ...more,
    });
  }

  it('feeds roots the data source output, a join { left, right } by node name, and returns the sink output', async () => {
    // load: [1, 2, 10]; left: [2, 4, 20]; right: [-1, -2, -10]; join: 26 - 13 = 13
    await expect(exp(diamond()).apply()).resolves.toBe(13);
    const result = await exp(diamond()).run({ replicates: 2 });
    expect(result.metrics.baseline.metrics['total']).toEqual([13, 13]);
    expect(result.metrics.baseline.metrics['keys']).toEqual(['left,right', 'left,right']);
    expect(result.errors).toEqual({});
  });

  it('passes a single upstream output as is, also when `after` is a one-element list', async () => {
    const sum = pipelineStep({ name: 'Sum' }, (xs: number[]) => xs.reduce((a, b) => a + b, 0));
    const p = new Pipeline({ load: Load, sum: { step: sum(), after: ['load'] } });
    await expect(exp(p).apply()).resolves.toBe(13);
  });

  it('records one StepRecord per node, named by node, with hashes linking each node to its upstreams', async () => {
    const result = await exp(diamond()).run();
    const records = recordsOf(result)[0]!;
    const byName = Object.fromEntries(records.map((r) => [r.step, r]));
    expect(records.map((r) => r.step)).toEqual([
      'load',
      ...records.slice(1, 3).map((r) => r.step),
      'join',
    ]);
    expect(Object.keys(byName).sort()).toEqual(['join', 'left', 'load', 'right']);
    expect(byName['load']!.inputHash).toBe(hashValue([1, 2]));
    expect(byName['left']!.inputHash).toBe(byName['load']!.outputHash);
    expect(byName['right']!.inputHash).toBe(byName['load']!.outputHash);
    expect(byName['join']!.inputHash).toBe(hashValue({ left: [2, 4, 20], right: [-1, -2, -10] }));
    expect(byName['join']!.outputHash).toBe(hashValue(13));
    expect(byName['left']!.ctxChanges.metrics).toEqual([{ name: 'branch', value: 'double' }]);
    expect(byName['right']!.ctxChanges.metrics).toEqual([{ name: 'branch', value: 'negate' }]);
    // Provenance survives storage (a DAG's records do not chain: stored as plain records).
    const stored = readStoredRun(result.dir!)?.conditions['baseline']?.provenance[0] ?? [];
    expect(stored).toEqual(records);
  });

  it('folds metrics into the condition in topological order, whatever branch finishes first', async () => {
    const slowLeft = pipelineStep({ name: 'SlowLeft' }, async (xs: number[], ctx) => {
      await new Promise((r) => setTimeout(r, 30));
      ctx.metrics.add('order', 'left');
      return xs;
    });
    const fastRight = pipelineStep({ name: 'FastRight' }, (xs: number[], ctx) => {
      ctx.metrics.add('order', 'right');
      return xs;
    });
    const p = diamond(slowLeft(), fastRight());
    const topo = p.graph!.nodes.map((n) => n.name).filter((n) => n === 'left' || n === 'right');
    const result = await exp(p).run({ replicates: 2 });
    expect(result.metrics.baseline.metrics['order']).toEqual([...topo, ...topo]);
  });

  it('runs independent branches of one replicate concurrently', async () => {
    // Each branch waits until both have started: run one after the other, this never resolves.
    let started = 0;
    let release!: () => void;
    const bothStarted = new Promise<void>((r) => (release = r));
    const barrier = (name: string) =>
      pipelineStep({ name }, async (xs: number[]) => {
        started += 1;
        if (started === 2) release();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('branches ran one after the other')), 2000);
        });
        await Promise.race([bothStarted, timeout]).finally(() => clearTimeout(timer));
        return xs;
      })();
    const p = diamond(barrier('A'), barrier('B'));
    const result = await exp(p).run();
    expect(result.errors).toEqual({});
    expect(result.metrics.baseline.metrics['total']).toEqual([26]);
  });

  it("gives every node its own name as ctx.get('step_name'), also across awaits of concurrent branches", async () => {
    const names = (label: string) =>
      pipelineStep({ name: label }, async (xs: number[], ctx) => {
        const before = ctx.get('step_name');
        await new Promise((r) => setTimeout(r, label === 'A' ? 20 : 5));
        ctx.metrics.add('seen', `${String(before)}/${String(ctx.get('step_name'))}`);
        return xs;
      })();
    const p = diamond(names('A'), names('B'));
    const result = await exp(p).run();
    expect([...(result.metrics.baseline.metrics['seen'] as string[])].sort()).toEqual([
      'left/left',
      'right/right',
    ]);
  });

  it('lets a node read what its ancestors wrote to the context, never what a sibling wrote', async () => {
    const writer = (key: string) =>
      pipelineStep({ name: `Write_${key}` }, (xs: number[], ctx) => {
        ctx.add(key, xs.length);
        return xs;
      })();
    const peek = pipelineStep({ name: 'Peek' }, (d: unknown, ctx) => {
      ctx.metrics.add(
        'sees',
        `${String(ctx.get('from_load'))},${String(ctx.get('from_right', 'none'))}`,
      );
      return d;
    });
    const p = new Pipeline({
      load: writer('from_load'),
      left: { step: peek(), after: 'load' },
      right: { step: writer('from_right'), after: 'load' },
      join: { step: peek(), after: ['left', 'right'] },
    });
    const result = await exp(p, { datasource: () => [1, 2, 3] }).run();
    const seen = result.metrics.baseline.metrics['sees'];
    // left sees only load's write; join sees both of its ancestors'.
    expect(seen).toEqual(['3,none', '3,3']);
    const records = Object.fromEntries(recordsOf(result)[0]!.map((r) => [r.step, r]));
    expect(records['right']!.ctxChanges.wrote).toEqual({ from_right: 3 });
  });

  it('fails the replicate when two branches write the same context key, naming the later node', async () => {
    const write = () =>
      pipelineStep({ name: 'WriteX' }, (xs: number[], ctx) => {
        ctx.add('x', 1);
        return xs;
      })();
    const p = diamond(write(), write());
    const result = await exp(p).run();
    const err = result.errors['baseline_rep_0'] as PipelineExecutionError;
    expect(err).toBeInstanceOf(PipelineExecutionError);
    expect(['left', 'right']).toContain(err.stepName);
    expect(err.message).toMatch(/another pipeline node already wrote it/);
  });

  it('reports a failing node as PipelineExecutionError naming the node; other replicates continue', async () => {
    const flaky = pipelineStep({ name: 'Flaky' }, (xs: number[], ctx) => {
      if (ctx.get('replicate') === 1) throw new RangeError('branch broke');
      return xs;
    });
    const p = diamond(flaky(), Negate);
    const result = await exp(p).run({ replicates: 3 });
    expect(Object.keys(result.errors)).toEqual(['baseline_rep_1']);
    const err = result.errors['baseline_rep_1'] as PipelineExecutionError;
    expect(err.stepName).toBe('left');
    expect(err.message).toMatch(/branch broke/);
    expect(result.metrics.baseline.metrics['total']).toEqual([0, 0]);
  });

  it('caches a cacheable node like a linear step: a hit the second time, a miss when its upstream changes', async () => {
    const cache = new FileStepCache();
    const first = await exp(diamond(), { cache }).run();
    const second = await exp(diamond(), { cache }).run();
    const hits = (r: typeof first) =>
      Object.fromEntries(recordsOf(r)[0]!.map((rec) => [rec.step, rec.cacheHit]));
    expect(hits(first)).toEqual({ load: false, left: false, right: false, join: false });
    expect(hits(second)).toEqual({ load: false, left: true, right: true, join: false });
    // A cache hit restores the node's metrics.
    expect(second.metrics.baseline.metrics).toEqual(first.metrics.baseline.metrics);
    const changed = await exp(diamond(), { cache, datasource: () => [5] }).run();
    expect(hits(changed)).toEqual({ load: false, left: false, right: false, join: false });
  });

  it('seeds ctx.rng per node: reproducible across runs, distinct between branches', async () => {
    const draw = (name: string) =>
      pipelineStep({ name }, (xs: number[], ctx) => {
        ctx.metrics.add(name, ctx.rng.next());
        return xs;
      })();
    const p = () => diamond(draw('L'), draw('R'));
    const a = await exp(p()).run({ replicates: 2 });
    const b = await exp(p()).run({ replicates: 2 });
    expect(a.metrics.baseline.metrics).toEqual(b.metrics.baseline.metrics);
    const left = a.metrics.baseline.metrics['L'] as number[];
    const right = a.metrics.baseline.metrics['R'] as number[];
    expect(left[0]).not.toBe(right[0]);
    expect(left[0]).not.toBe(left[1]); // replicates have their own seeds
  });

  it('calls plugin hooks for every node, and applies treatments to every node', async () => {
    const events: string[] = [];
    const scaled = pipelineStep({ name: 'Scaled', params: { k: 1 } }, (xs: number[], _c, { k }) =>
      xs.map((x) => x * k),
    );
    const p = diamond(scaled(), Negate);
    const result = await exp(p, {
      plugins: plugins(tempDir(), new RecordingPlugin(events)),
      treatments: [treatment('triple', { k: 3 })],
    }).run();
    expect(events.filter((e) => e.startsWith('afterStep')).length).toBe(8);
    expect(events.filter((e) => e.startsWith('beforeStep')).length).toBe(8);
    expect(result.metrics.baseline.metrics['total']).toEqual([0]);
    expect(result.metrics.treatments['triple']!.metrics['total']).toEqual([26]);
  });

  it('stores artifacts a node writes under the node name', async () => {
    class Save extends Step<number[], number[]> {
      @Param() out = new Artifact<number[]>('out.json');
      @PipelineStep()
      run(xs: number[]): number[] {
        this.out.write(xs);
        return xs;
      }
    }
    const root = tempDir();
    const p = diamond(Save, Negate);
    const result = await exp(p, { plugins: plugins(root) }).run();
    const file = join(root, 'dag', 'v0', 'replicate_0', 'baseline', 'left', 'out.json');
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([1, 2, 10]);
    expect(result.artifacts['baseline']).toEqual([
      {
        replicate: 0,
        name: 'out.json',
        step: 'left',
        path: join('replicate_0', 'baseline', 'left', 'out.json'),
        contentType: 'json',
      },
    ]);
  });
});
