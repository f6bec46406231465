import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ExperimentInput,
  type FrozenContext,
  Param,
  PipelineStep,
  Step,
  ValidationError,
  treatment,
} from '@crystallize/core';
import { Artifact, ArtifactPlugin, Experiment, LoggingPlugin } from '@crystallize/orchestrator';
import { tempDir } from './helpers.js';

/** Writes `{ replicate, condition, scale }` as its artifact. */
class Produce extends Step<number[], number[]> {
  @Param() out!: Artifact<{ replicate: number; condition: string; scale: number }>;
  @Param() scale = 1;
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    this.out.write({
      replicate: Number(ctx.get('replicate')),
      condition: String(ctx.get('condition')),
      scale: this.scale,
    });
    return data;
  }
}

/** Records what the upstream artifact said. */
class Consume extends Step<{ replicate: number; condition: string; scale: number }, unknown> {
  @PipelineStep()
  run(data: { replicate: number; condition: string; scale: number }, ctx: FrozenContext): unknown {
    ctx.metrics.add('upstream_replicate', data.replicate);
    ctx.metrics.add('upstream_condition', data.condition);
    ctx.metrics.add('scale', data.scale);
    return data;
  }
}

function plugins(root: string) {
  return [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })];
}

function upstream(
  root: string,
  out: Artifact<{ replicate: number; condition: string; scale: number }>,
  more: Partial<ConstructorParameters<typeof Experiment>[0]> = {},
) {
  return new Experiment({
    name: 'produce',
    datasource: () => [1],
    pipeline: [Produce.with({ out })],
    outputs: [out],
    plugins: plugins(root),
    cache: false,
    ...more,
  });
}

function downstream(
  root: string,
  datasource: ConstructorParameters<typeof Experiment>[0]['datasource'],
  more = {},
) {
  return new Experiment({
    name: 'consume',
    datasource,
    pipeline: [Consume],
    plugins: plugins(root),
    cache: false,
    ...more,
  });
}

describe('artifacts across experiments', () => {
  it('feeds replicate r of the downstream from upstream replicate r % upstreamReplicates', async () => {
    const root = tempDir();
    const out = new Artifact<{ replicate: number; condition: string; scale: number }>('out.json');
    await upstream(root, out, { replicates: 2 }).run();
    const result = await downstream(root, out).run({ replicates: 5 });
    expect(result.errors).toEqual({});
    expect(result.metrics.baseline.metrics['upstream_replicate']).toEqual([0, 1, 0, 1, 0]);
  });

  it('runs as many replicates as the upstream declares unless told otherwise', async () => {
    const root = tempDir();
    const out = new Artifact<{ replicate: number; condition: string; scale: number }>('out.json');
    const up = upstream(root, out, { replicates: 3 });
    await up.run();
    expect(out.replicates).toBe(3);
    const result = await downstream(root, out).run();
    expect(result.metrics.baseline.metrics['upstream_replicate']).toEqual([0, 1, 2]);
  });

  it("reads the same treatment's artifact when the upstream ran it", async () => {
    const root = tempDir();
    const out = new Artifact<{ replicate: number; condition: string; scale: number }>('out.json');
    const big = treatment('big', { scale: 10 });
    await upstream(root, out, { treatments: [big] }).run();
    const result = await downstream(root, out, { treatments: [big] }).run();
    expect(result.metrics.baseline.metrics['scale']).toEqual([1]);
    expect(result.metrics.treatments['big']!.metrics['scale']).toEqual([10]);
    expect(result.metrics.treatments['big']!.metrics['upstream_condition']).toEqual(['big']);
  });

  it("falls back to the baseline's artifact for a treatment the upstream did not run, warning once", async () => {
    const root = tempDir();
    const out = new Artifact<{ replicate: number; condition: string; scale: number }>('out.json');
    await upstream(root, out, { replicates: 3 }).run();
    const result = await downstream(root, out, {
      treatments: [treatment('other', { x: 1 })],
    }).run();
    expect(result.errors).toEqual({});
    expect(result.metrics.treatments['other']!.metrics['upstream_condition']).toEqual([
      'baseline',
      'baseline',
      'baseline',
    ]);
    const log = readFileSync(join(root, 'consume', 'v0', 'run.log'), 'utf8');
    const warnings = log.split('\n').filter((l) => l.includes("has no 'out.json' of its own"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/treatment 'other'.*upstream 'produce'.*using the baseline's/);
  });

  it('reads from the latest stored version of the upstream', async () => {
    const root = tempDir();
    const out = new Artifact<{ replicate: number; condition: string; scale: number }>('out.json');
    const versioned = (scale: number) =>
      upstream(root, out, {
        pipeline: [Produce.with({ out, scale })],
        plugins: [
          new ArtifactPlugin({ rootDir: root, versioned: true }),
          new LoggingPlugin({ level: 'silent' }),
        ],
      });
    await versioned(1).run();
    await versioned(7).run();
    const result = await downstream(root, out).run();
    expect(result.metrics.baseline.metrics['scale']).toEqual([7]);
  });

  it('uses the artifact loader and writer, also inside an ExperimentInput', async () => {
    const root = tempDir();
    const csv = new Artifact<number[]>('values.csv', {
      writer: (xs) => xs.join(';'),
      loader: (bytes) => bytes.toString('utf8').split(';').map(Number),
    });
    class Save extends Step<number[], number[]> {
      @Param() csv!: Artifact<number[]>;
      @PipelineStep()
      run(xs: number[]): number[] {
        this.csv.write(xs);
        return xs;
      }
    }
    await new Experiment({
      name: 'save',
      datasource: () => [1.5, 2, 3],
      pipeline: [Save.with({ csv })],
      outputs: [csv],
      plugins: plugins(root),
      cache: false,
    }).run();
    expect(
      readFileSync(
        join(root, 'save', 'v0', 'replicate_0', 'baseline', 'Save', 'values.csv'),
        'utf8',
      ),
    ).toBe('1.5;2;3');
    class Sum extends Step<{ values: number[]; offset: number }, number> {
      @PipelineStep()
      run(data: { values: number[]; offset: number }, ctx: FrozenContext): number {
        const total = data.values.reduce((a, b) => a + b, data.offset);
        ctx.metrics.add('total', total);
        return total;
      }
    }
    const result = await new Experiment({
      name: 'sum',
      datasource: new ExperimentInput({ values: csv, offset: () => 100 }),
      pipeline: [Sum],
      plugins: plugins(root),
      cache: false,
    }).run();
    expect(result.metrics.baseline.metrics['total']).toEqual([106.5]);
  });

  it('rejects an ExperimentInput whose upstream artifacts declare different replicate counts, naming them', () => {
    const root = tempDir();
    const a = new Artifact<{ replicate: number; condition: string; scale: number }>('a.json');
    const b = new Artifact<{ replicate: number; condition: string; scale: number }>('b.json');
    upstream(root, a, { name: 'two', replicates: 2 });
    upstream(root, b, { name: 'three', replicates: 3 });
    expect(() => new ExperimentInput({ first: a, second: b })).toThrow(ValidationError);
    expect(() => new ExperimentInput({ first: a, second: b })).toThrow(/first: 2, second: 3/);
  });

  it('reads through exp.artifactDatasource(step, name), and rejects an unknown step', async () => {
    const root = tempDir();
    const out = new Artifact<{ replicate: number; condition: string; scale: number }>('out.json');
    const up = upstream(root, out, { replicates: 2 });
    await up.run();
    const result = await downstream(root, up.artifactDatasource('Produce', 'out.json')).run();
    expect(result.metrics.baseline.metrics['upstream_replicate']).toEqual([0, 1]);
    expect(() => up.artifactDatasource('Nope', 'out.json')).toThrow(/no step 'Nope'/);
    const wrong = await downstream(root, up.artifactDatasource('Produce', 'missing.json')).run();
    expect(wrong.errors['baseline_rep_0']?.message).toMatch(/stored no artifact 'missing.json'/);
  });

  it('fails a downstream replicate clearly when the upstream never ran or no experiment produces the artifact', async () => {
    const root = tempDir();
    const out = new Artifact<{ replicate: number; condition: string; scale: number }>('out.json');
    upstream(root, out);
    const notRun = await downstream(root, out).run();
    expect(notRun.errors['baseline_rep_0']?.message).toMatch(
      /'produce' has no stored run.*Run it first/,
    );
    const orphan = new Artifact('orphan.json');
    const noProducer = await downstream(root, orphan).run();
    expect(noProducer.errors['baseline_rep_0']?.message).toMatch(
      /no experiment lists it in 'outputs'/,
    );
  });
});
