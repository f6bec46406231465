/*
 * Issue #10 points 4, 6, 16, 17: artifacts never touch the user's Math.random, read back as they
 * were written, are recorded with the step that added them, and downstream replicate counts
 * follow what the upstream stored.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ExperimentInput,
  type FrozenContext,
  Param,
  PipelineStep,
  Step,
  treatment,
} from '@crystallize/core';
import {
  Artifact,
  ArtifactPlugin,
  Experiment,
  LoggingPlugin,
  quickExperiment,
} from '@crystallize/orchestrator';
import { CacheStore } from '@crystallize/cache';
import { tempDir } from './helpers.js';

function plugins(root: string) {
  return [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })];
}

/** Draws from Math.random and writes artifacts (stored when the step ends); records the draw. */
class Draw extends Step<unknown, number[]> {
  @Param() out: Artifact<unknown> | null = null;
  @PipelineStep()
  run(_data: unknown, ctx: FrozenContext): number[] {
    const a = Math.random();
    this.out?.write({ a });
    if (this.out) ctx.artifacts.add('side.txt', 'side');
    ctx.metrics.add('a', a);
    return [a];
  }
}

/** Draws again, after the previous step's artifacts were stored. */
class DrawAgain extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    const b = Math.random();
    ctx.metrics.add('b', b);
    return [...data, b];
  }
}

/** Writes `value` through `out` (an Artifact) or, without one, through ctx.artifacts.add. */
class Emit extends Step<unknown, unknown> {
  @Param() out: Artifact<unknown> | null = null;
  @Param() value: unknown = null;
  @Param() file = 'out.txt';
  @PipelineStep()
  run(data: unknown, ctx: FrozenContext): unknown {
    if (this.out) this.out.write(this.value);
    else ctx.artifacts.add(this.file, this.value);
    return data;
  }
}

/** Emit, cacheable: a hit restores its artifacts from the cache instead of running. */
class CachedEmit extends Step<unknown, unknown> {
  @Param() out: Artifact<unknown> | null = null;
  @Param() value: unknown = null;
  @PipelineStep({ cacheable: true })
  run(data: unknown): unknown {
    CachedEmit.calls += 1;
    this.out?.write(this.value);
    return data;
  }
  static calls = 0;
}

/** Records what it was given: its type and its JSON. */
class Inspect extends Step<unknown, unknown> {
  @PipelineStep()
  run(data: unknown, ctx: FrozenContext): unknown {
    ctx.metrics.add(
      'kind',
      Buffer.isBuffer(data) ? 'buffer' : data instanceof Uint8Array ? 'bytes' : typeof data,
    );
    ctx.metrics.add(
      'value',
      data instanceof Uint8Array ? [...data].join(',') : JSON.stringify(data),
    );
    return data;
  }
}

describe('artifacts and Math.random', () => {
  it('writing an artifact never draws from the seeded Math.random (run, debug, apply, quickExperiment agree)', async () => {
    const root = tempDir();
    const make = (withArtifact: boolean) => {
      const out = new Artifact<unknown>('draw.json');
      return new Experiment({
        name: withArtifact ? 'with-artifact' : 'without-artifact',
        datasource: () => 0,
        pipeline: [Draw.with({ out: withArtifact ? out : null }), DrawAgain],
        outputs: withArtifact ? [out] : [],
        plugins: plugins(root),
        cache: false,
      });
    };
    const drawsOf = (r: Awaited<ReturnType<Experiment['run']>>) => [
      r.metrics.baseline.metrics['a']![0],
      r.metrics.baseline.metrics['b']![0],
    ];
    const runWith = await make(true).run({ replicates: 1 });
    const runWithout = await make(false).run({ replicates: 1 });
    expect(runWith.errors).toEqual({});
    expect(runWith.artifacts['baseline']!.map((a) => a.name).sort()).toEqual([
      'draw.json',
      'side.txt',
    ]);
    const debugWith = await make(true).debug();
    const applyWith = await make(true).apply();
    const quick = await quickExperiment(() => [Math.random(), Math.random()], undefined, 1);
    expect(drawsOf(runWith)).toEqual(drawsOf(runWithout));
    expect(drawsOf(debugWith)).toEqual(drawsOf(runWith));
    expect(applyWith).toEqual(drawsOf(runWith));
    expect(quick['baseline']![0]).toEqual(drawsOf(runWith));
  });
});

describe('artifacts read back as written', () => {
  const cases: readonly [string, unknown, string, string][] = [
    ['hello (text)', 'hello', 'string', '"hello"'],
    ['"10" (text, not a number)', '10', 'string', '"10"'],
    ['\'{"a":1}\' (text, not parsed)', '{"a":1}', 'string', '"{\\"a\\":1}"'],
    ['an object (JSON)', { a: 1, b: [true, null] }, 'object', '{"a":1,"b":[true,null]}'],
    ['a number (JSON)', 10, 'number', '10'],
    ['a Buffer (bytes)', Buffer.from([0, 1, 255]), 'buffer', '0,1,255'],
    ['a Uint8Array (bytes)', new Uint8Array([7, 8]), 'buffer', '7,8'],
  ];

  for (const via of ['Artifact.write', 'ctx.artifacts.add'] as const) {
    for (const [label, value, kind, json] of cases) {
      it(`round-trips ${label} written with ${via} through a downstream data source`, async () => {
        const root = tempDir();
        const out = new Artifact<unknown>('out.txt');
        const up = new Experiment({
          name: 'up',
          datasource: () => 0,
          pipeline: [Emit.with(via === 'Artifact.write' ? { out, value } : { value })],
          outputs: via === 'Artifact.write' ? [out] : [],
          plugins: plugins(root),
          cache: false,
        });
        await up.run();
        const source = via === 'Artifact.write' ? out : up.artifactDatasource('Emit', 'out.txt');
        const down = await new Experiment({
          name: 'down',
          datasource: source,
          pipeline: [Inspect],
          plugins: plugins(root),
          cache: false,
        }).run();
        expect(down.errors).toEqual({});
        expect(down.metrics.baseline.metrics['kind']).toEqual([kind]);
        expect(down.metrics.baseline.metrics['value']).toEqual([json]);
      });
    }
  }

  it('records each file’s content type in _manifest.json and round-trips through the step cache', async () => {
    const root = tempDir();
    const out = new Artifact<unknown>('n.txt');
    const cacheDir = tempDir();
    const make = () =>
      new Experiment({
        name: 'up-cached',
        datasource: () => 0,
        pipeline: [CachedEmit.with({ out })],
        initialCtx: { value: '10' },
        outputs: [out],
        plugins: plugins(root),
        treatments: [treatment('obj', { value: { ten: 10 } })],
        cache: new CacheStore({ dir: cacheDir }),
      });
    await make().run();
    const callsBefore = CachedEmit.calls;
    const second = await make().run(); // cache hits restore the artifacts
    expect(CachedEmit.calls).toBe(callsBefore);
    const manifest = JSON.parse(
      readFileSync(join(second.dir as string, '_manifest.json'), 'utf8'),
    ) as Record<string, { contentTypes: Record<string, string> }>;
    expect(Object.values(manifest['n.txt']!.contentTypes).sort()).toEqual(['json', 'text']);
    const down = await new Experiment({
      name: 'down-cached',
      datasource: out,
      pipeline: [Inspect],
      treatments: [treatment('obj', { unused: 1 })],
      plugins: plugins(root),
      cache: false,
    }).run();
    expect(down.metrics.baseline.metrics['value']).toEqual(['"10"']);
    expect(down.metrics.treatments['obj']!.metrics['value']).toEqual(['{"ten":10}']);
  });
});

describe('ctx.artifacts.add', () => {
  it('records the artifact with the step that added it in result.artifacts and _manifest.json', async () => {
    const root = tempDir();
    const up = new Experiment({
      name: 'log-step',
      datasource: () => 0,
      pipeline: [Emit.with({ value: 'line', file: 'out.txt' })],
      plugins: plugins(root),
      cache: false,
    });
    const result = await up.run();
    expect(result.artifacts['baseline']).toEqual([
      expect.objectContaining({
        name: 'out.txt',
        step: 'Emit',
        path: join('replicate_0', 'baseline', 'Emit', 'out.txt'),
      }),
    ]);
    const manifest = JSON.parse(
      readFileSync(join(result.dir as string, '_manifest.json'), 'utf8'),
    ) as Record<string, { step: string }>;
    expect(manifest['out.txt']!.step).toBe('Emit');
    const down = await new Experiment({
      name: 'reader',
      datasource: up.artifactDatasource('Emit', 'out.txt'),
      pipeline: [Inspect],
      plugins: plugins(root),
      cache: false,
    }).run();
    expect(down.errors).toEqual({});
    expect(down.metrics.baseline.metrics['value']).toEqual(['"line"']);
  });
});

describe('downstream replicate count', () => {
  it('is what the upstream stored, a run({ replicates }) override included', async () => {
    const root = tempDir();
    const out = new Artifact<unknown>('r.json');
    const up = new Experiment({
      name: 'up-reps',
      datasource: () => 0,
      pipeline: [Emit.with({ out, value: 1 })],
      outputs: [out],
      replicates: 2,
      plugins: plugins(root),
      cache: false,
    });
    expect(out.replicates).toBe(2); // nothing stored yet: the declaration
    await up.run({ replicates: 5 });
    const viaName = up.artifactDatasource('Emit', 'r.json');
    expect(out.replicates).toBe(5);
    expect(viaName.replicates).toBe(5);
    for (const source of [out, viaName]) {
      const down = await new Experiment({
        name: 'down-reps',
        datasource: source,
        pipeline: [Inspect],
        plugins: plugins(root),
        cache: false,
      }).run();
      expect(down.provenance.replicates).toBe(5);
      expect(down.metrics.baseline.metrics['value']).toHaveLength(5);
    }
    await up.run({ replicates: 3 }); // a new run of the upstream replaces what it stored
    expect(out.replicates).toBe(3);
  });

  it('is what the upstream stored when the artifact is one input of an ExperimentInput', async () => {
    const root = tempDir();
    const out = new Artifact<unknown>('r.json');
    const up = new Experiment({
      name: 'up-input',
      datasource: () => 0,
      pipeline: [Emit.with({ out, value: 1 })],
      outputs: [out],
      replicates: 2,
      plugins: plugins(root),
      cache: false,
    });
    // Built before the upstream ran: the count is read when the downstream runs, not now.
    const input = new ExperimentInput({ r: out, other: () => 'x' });
    await up.run({ replicates: 4 });
    const down = await new Experiment({
      name: 'down-input',
      datasource: input,
      pipeline: [Inspect],
      plugins: plugins(root),
      cache: false,
    }).run();
    expect(down.errors).toEqual({});
    expect(down.provenance.replicates).toBe(4);
  });
});
