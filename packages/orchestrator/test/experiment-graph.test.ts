import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FrozenContext,
  Param,
  PipelineStep,
  Step,
  ValidationError,
  treatment,
  type Treatment,
} from '@crystallize/core';
import {
  Artifact,
  ArtifactPlugin,
  Experiment,
  ExperimentGraph,
  ExperimentGraphError,
  LoggingPlugin,
  type GraphEvent,
} from '@crystallize/orchestrator';
import { tempDir } from './helpers.js';

type Payload = { value: number; condition: string };

/** Writes `value * scale` (scale injectable, so treatments change it). */
class Make extends Step<number, number> {
  @Param() out!: Artifact<Payload>;
  @Param() scale = 1;
  @Param() fail = false;
  @PipelineStep()
  run(value: number, ctx: FrozenContext): number {
    if (this.fail) throw new Error('upstream broke');
    this.out.write({ value: value * this.scale, condition: String(ctx.get('condition')) });
    return value;
  }
}

/** Reads an upstream payload, records it, and optionally writes its own artifact. */
class Use extends Step<Payload, Payload> {
  @Param() out: Artifact<Payload> | null = null;
  @Param() delay = 0;
  @PipelineStep()
  async run(data: Payload, ctx: FrozenContext): Promise<Payload> {
    if (this.delay) await new Promise((r) => setTimeout(r, this.delay));
    ctx.metrics.add('value', data.value);
    ctx.metrics.add('from', data.condition);
    this.out?.write({ value: data.value + 1, condition: String(ctx.get('condition')) });
    return data;
  }
}

function plugins(root: string) {
  return [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })];
}

interface Chain {
  readonly root: string;
  readonly raw: Artifact<Payload>;
  readonly mid: Artifact<Payload>;
  readonly source: Experiment;
  readonly middle: Experiment;
  readonly sink: Experiment;
}

/** source --raw--> middle --mid--> sink */
function chain(
  options: {
    root?: string;
    sourceTreatments?: Treatment[];
    sinkTreatments?: Treatment[];
    fail?: boolean;
  } = {},
): Chain {
  const root = options.root ?? tempDir();
  const raw = new Artifact<Payload>('raw.json');
  const mid = new Artifact<Payload>('mid.json');
  const source = new Experiment({
    name: 'source',
    datasource: () => 10,
    pipeline: [Make.with({ out: raw, fail: options.fail ?? false })],
    outputs: [raw],
    treatments: options.sourceTreatments ?? [],
    replicates: 2,
    plugins: plugins(root),
    cache: false,
  });
  const middle = new Experiment({
    name: 'middle',
    datasource: raw,
    pipeline: [Use.with({ out: mid })],
    outputs: [mid],
    plugins: plugins(root),
    cache: false,
  });
  const sink = new Experiment({
    name: 'sink',
    datasource: mid,
    pipeline: [Use],
    treatments: options.sinkTreatments ?? [],
    plugins: plugins(root),
    cache: false,
  });
  return { root, raw, mid, source, middle, sink };
}

function events(): { log: string[]; onEvent: (e: GraphEvent) => void } {
  const log: string[] = [];
  return { log, onEvent: (e) => log.push(`${e.type}:${e.experiment}`) };
}

/** The event log of experiments that each ran to completion before the next one started. */
function ranInOrder(...names: string[]): string[] {
  return names.flatMap((name) => [`running:${name}`, `completed:${name}`]);
}

describe('ExperimentGraph', () => {
  it('infers edges from artifacts and runs upstreams first, returning results in topological order', async () => {
    const c = chain();
    // Given out of order on purpose.
    const graph = ExperimentGraph.fromExperiments([c.sink, c.source, c.middle]);
    expect(graph.experiments.map((e) => e.name)).toEqual(['source', 'middle', 'sink']);
    expect(graph.upstreamOf('sink')).toEqual(['middle']);
    const ev = events();
    const results = await graph.run({ onEvent: ev.onEvent });
    expect(Object.keys(results)).toEqual(['source', 'middle', 'sink']);
    expect(ev.log).toEqual(ranInOrder('source', 'middle', 'sink'));
    // middle reads raw (10) and writes 11; both replicates come through.
    expect(results['middle']!.metrics.baseline.metrics['value']).toEqual([10, 10]);
    expect(results['sink']!.metrics.baseline.metrics['value']).toEqual([11, 11]);
  });

  it('builds the same graph with addExperiment and addDependency', async () => {
    const c = chain();
    const graph = new ExperimentGraph().addExperiment(c.source).addExperiment(c.middle);
    graph.addDependency(c.sink, 'middle');
    expect(graph.upstreamOf('sink')).toEqual(['middle']);
    expect(() => graph.addDependency('sink', 'nope')).toThrow(/no experiment named 'nope'/);
    const results = await graph.run();
    expect(results['sink']!.metrics.baseline.metrics['value']).toEqual([11, 11]);
  });

  it('runs independent experiments concurrently', async () => {
    const c = chain();
    // Two dependents of source that each take 150 ms.
    const slow = (name: string): Experiment =>
      new Experiment({
        name,
        datasource: c.raw,
        pipeline: [Use.with({ delay: 150 })],
        plugins: plugins(c.root),
        cache: false,
      });
    const ev = events();
    await ExperimentGraph.fromExperiments([c.source, slow('slow_a'), slow('slow_b')]).run({
      onEvent: ev.onEvent,
    });
    // Both started before either finished.
    expect(ev.log.slice(2, 4).sort()).toEqual(['running:slow_a', 'running:slow_b']);
  });

  it('passes treatments down to dependents; a node’s own treatment of the same name wins', async () => {
    const c = chain({
      sourceTreatments: [treatment('big', { scale: 3 }), treatment('huge', { scale: 100 })],
      sinkTreatments: [treatment('huge', { scale: 5 })],
    });
    const results = await ExperimentGraph.fromExperiments([c.source, c.middle, c.sink]).run();
    expect(Object.keys(results['middle']!.metrics.treatments).sort()).toEqual(['big', 'huge']);
    expect(results['middle']!.metrics.treatments['big']!.metrics['value']).toEqual([30, 30]);
    expect(results['sink']!.metrics.treatments['big']!.metrics['value']).toEqual([31, 31]);
    // sink's own 'huge' is a different definition, but its data still comes from upstream 'huge'.
    expect(results['sink']!.metrics.treatments['huge']!.metrics['from']).toEqual(['huge', 'huge']);
    expect(results['sink']!.fingerprints['huge']!.parts['treatment']).not.toBe(
      results['middle']!.fingerprints['huge']!.parts['treatment'],
    );
    expect(results['sink']!.fingerprints['big']!.parts['treatment']).toBe(
      results['middle']!.fingerprints['big']!.parts['treatment'],
    );
  });

  it('applies run-level replicates and treatments to every experiment', async () => {
    const c = chain();
    const results = await ExperimentGraph.fromExperiments([c.source, c.middle, c.sink]).run({
      replicates: 3,
      treatments: [treatment('big', { scale: 2 })],
    });
    for (const name of ['source', 'middle', 'sink'])
      expect(results[name]!.provenance.replicates).toBe(3);
    expect(results['sink']!.metrics.treatments['big']!.metrics['value']).toEqual([21, 21, 21]);
  });

  it("with strategy 'resume' reuses complete experiments and reruns only what changed downstream", async () => {
    const root = tempDir();
    await ExperimentGraph.fromExperiments(Object.values(chain({ root })).filter(isExp)).run();
    const ev = events();
    const again = chain({ root });
    await ExperimentGraph.fromExperiments([again.source, again.middle, again.sink]).run({
      strategy: 'resume',
      onEvent: ev.onEvent,
    });
    expect(ev.log).toEqual(['reused:source', 'reused:middle', 'reused:sink']);
    // A new treatment on the sink only: the upstreams stay reused.
    const changed = chain({ root, sinkTreatments: [treatment('x', { y: 1 })] });
    const ev2 = events();
    await ExperimentGraph.fromExperiments([changed.source, changed.middle, changed.sink]).run({
      strategy: 'resume',
      onEvent: ev2.onEvent,
    });
    expect(ev2.log).toEqual(['reused:source', 'reused:middle', 'running:sink', 'completed:sink']);
  });

  it("with strategy 'resume' reruns a complete experiment whose output a downstream needs but lacks, and everything after it", async () => {
    const root = tempDir();
    const first = chain({ root });
    await ExperimentGraph.fromExperiments([first.source, first.middle, first.sink]).run();
    rmSync(join(root, 'source', 'v0', 'replicate_1', 'baseline', 'Make', 'raw.json'));
    const again = chain({ root });
    const ev = events();
    const results = await ExperimentGraph.fromExperiments([
      again.source,
      again.middle,
      again.sink,
    ]).run({
      strategy: 'resume',
      onEvent: ev.onEvent,
    });
    expect(ev.log).toEqual(ranInOrder('source', 'middle', 'sink'));
    expect(results['sink']!.metrics.baseline.metrics['value']).toEqual([11, 11]);
  });

  it('skips the dependents of a failing experiment with the reason, runs the other branches, then rejects', async () => {
    const c = chain({ fail: true });
    const other = new Experiment({
      name: 'independent_branch',
      datasource: () => 1,
      pipeline: [Make.with({ out: new Artifact<Payload>('x.json') })],
      plugins: plugins(c.root),
      cache: false,
    });
    const graph = ExperimentGraph.fromExperiments([c.source, c.middle, c.sink]);
    // A second root that middle also waits for: not downstream of the failure, so it runs.
    graph.addExperiment(other).addDependency(c.middle, other);
    const ev = events();
    const seen: GraphEvent[] = [];
    let error: unknown;
    try {
      await graph.run({
        onEvent: (e) => {
          ev.onEvent(e);
          seen.push(e);
        },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExperimentGraphError);
    const err = error as ExperimentGraphError;
    expect(Object.keys(err.failures)).toEqual(['source']);
    expect(err.failures['source']!.message).toMatch(/replicate\(s\) failed/);
    expect(err.skipped['middle']).toMatch(/upstream 'source' failed/);
    expect(err.skipped['sink']).toMatch(/upstream 'middle' was skipped/);
    expect(err.message).toMatch(/'source' failed.*'middle' skipped/);
    expect(ev.log).toContain('failed:source');
    expect(ev.log).toContain('skipped:middle');
    expect(ev.log).not.toContain('running:middle');
    expect(seen.find((e) => e.type === 'skipped' && e.experiment === 'sink')).toMatchObject({
      reason: expect.stringMatching(/middle/),
    });
    // the failed source still has its Result (with its errors) in the error.
    expect(Object.keys(err.results).sort()).toEqual(['independent_branch', 'source']);
    expect(ev.log).toContain('completed:independent_branch');
  });

  it('rejects a cycle, naming the experiments in it', () => {
    const c = chain();
    const graph = ExperimentGraph.fromExperiments([c.source, c.middle, c.sink]);
    let error: unknown;
    try {
      graph.addDependency(c.source, c.sink);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/'source'.*'middle'.*'sink'|cycle/);
    expect((error as ValidationError).problems.join()).toMatch(/source/);
    expect((error as ValidationError).problems.join()).toMatch(/sink/);
    // The failed edge was not kept.
    expect(graph.upstreamOf('source')).toEqual([]);
  });

  it('rejects disconnected experiments, naming both groups; a graph of one experiment is fine', async () => {
    const c = chain();
    const lonely = new Experiment({
      name: 'lonely',
      datasource: () => 10,
      pipeline: [Make.with({ out: new Artifact<Payload>('l.json') })],
      plugins: plugins(c.root),
      cache: false,
    });
    expect(() => ExperimentGraph.fromExperiments([c.source, c.middle, lonely])).toThrow(
      /disconnected: \[source, middle\] and \[lonely\]/,
    );
    const results = await ExperimentGraph.fromExperiments([lonely]).run();
    expect(Object.keys(results)).toEqual(['lonely']);
    await expect(new ExperimentGraph().run()).rejects.toThrow(/no experiments/);
  });

  it('rejects an artifact produced by two experiments, naming both', () => {
    const c = chain();
    const twin = new Experiment({
      name: 'twin',
      datasource: () => 1,
      pipeline: [Make.with({ out: c.raw })],
      outputs: [c.raw],
      plugins: plugins(c.root),
      cache: false,
    });
    expect(() => ExperimentGraph.fromExperiments([c.source, twin])).toThrow(
      /artifact 'raw.json' is produced by both 'source' and 'twin'/,
    );
  });

  it('rejects an experiment without a name, and two experiments with one name', () => {
    const unnamed = new Experiment({ datasource: () => 1, pipeline: [Use], cache: false });
    expect(unnamed.named).toBe(false);
    expect(() => new ExperimentGraph().addExperiment(unnamed)).toThrow(/has no name/);
    const c = chain();
    const again = chain();
    expect(() => new ExperimentGraph().addExperiment(c.source).addExperiment(again.source)).toThrow(
      /two experiments are named 'source'/,
    );
  });
});

function isExp(v: unknown): v is Experiment {
  return v instanceof Experiment;
}

describe('ExperimentGraph abort', () => {
  it('stops scheduling on abort: experiments not yet started are skipped, finished ones kept', async () => {
    const c = chain();
    const controller = new AbortController();
    const graph = ExperimentGraph.fromExperiments([c.source, c.middle, c.sink]);
    const run = graph.run({
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'completed' && e.experiment === 'source') controller.abort();
      },
    });
    const error = (await run.catch((e: unknown) => e)) as ExperimentGraphError;
    expect(error).toBeInstanceOf(ExperimentGraphError);
    expect(Object.keys(error.results)).toContain('source');
    expect(error.skipped['middle']).toMatch(/aborted/);
    expect(error.skipped['sink']).toBeDefined();
  });

  it('drains on a drain signal: experiments not yet started are skipped, finished ones kept', async () => {
    const c = chain();
    const controller = new AbortController();
    const graph = ExperimentGraph.fromExperiments([c.source, c.middle, c.sink]);
    const run = graph.run({
      drain: controller.signal,
      onEvent: (e) => {
        if (e.type === 'completed' && e.experiment === 'source') controller.abort();
      },
    });
    const error = (await run.catch((e: unknown) => e)) as ExperimentGraphError;
    expect(error).toBeInstanceOf(ExperimentGraphError);
    expect(error.results['source']?.aborted).toBe(false);
    expect(error.skipped['middle']).toMatch(/aborted/);
    expect(error.skipped['sink']).toBeDefined();
  });
});
