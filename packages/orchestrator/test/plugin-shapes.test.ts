/*
 * Issue #11 point 5: plugins, execution backends and artifacts are recognised by shape and
 * well-known brands, not by class identity — so a plugin built by another copy of the framework
 * (here: plain objects and classes that do not extend BasePlugin) wires up exactly like ours.
 */
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FrozenContext, Param, PipelineStep, Step } from '@crystallize/core';
import {
  ArtifactPlugin,
  Experiment,
  LoggingPlugin,
  SeedPlugin,
  type LoopOptions,
  type ReplicateFn,
  type Result,
} from '@crystallize/orchestrator';
import type {
  ExecutionBackend,
  ExperimentModel,
  RunContext,
} from '@crystallize/orchestrator/internal';
import { ComputeSum, tempDir } from './helpers.js';

const KIND = Symbol.for('crystallize.plugin.kind');
const ARTIFACT = Symbol.for('crystallize.artifact');

/** A SeedPlugin as another copy of the framework would build it: same shape, other class. */
class ForeignSeedPlugin {
  readonly [KIND] = 'seed';
  readonly autoSeed = true;
  constructor(readonly seed: number) {}
  seedFor(replicate: number): number {
    return this.seed + replicate;
  }
  apply(): void {}
}

/** An ArtifactPlugin of another copy: the real one's behaviour behind a plain object. */
function foreignArtifactPlugin(rootDir: string): object {
  const real = new ArtifactPlugin({ rootDir });
  return {
    [KIND]: 'artifact',
    rootDir,
    experimentDir: (e: ExperimentModel) => real.experimentDir(e),
    latestDir: (e: ExperimentModel) => real.latestDir(e),
    useRunDir: (d: string | undefined) => real.useRunDir(d),
    beforeRun: (e: ExperimentModel, run: RunContext) => real.beforeRun(e, run),
    afterRun: (e: ExperimentModel, r: Result, run: RunContext) => real.afterRun(e, r, run),
  };
}

const quietLogging = { [KIND]: 'logging', verbose: false };

class Seeded extends Step<unknown, unknown> {
  @PipelineStep()
  run(data: unknown, ctx: FrozenContext): unknown {
    ctx.metrics.add('seed', ctx.get<number>('seed_used', -1));
    return data;
  }
}

describe('plugins detected by shape (a second copy of the framework)', () => {
  it('recognises a plain-object ArtifactPlugin by its kind: no default one is added, and runs are stored through it', async () => {
    const root = tempDir();
    const foreign = foreignArtifactPlugin(root);
    const exp = new Experiment({
      name: 'foreign-artifacts',
      datasource: () => [1, 2, 3],
      pipeline: [ComputeSum],
      plugins: [foreign as never, new LoggingPlugin({ level: 'silent' })],
    });
    expect(exp.plugins.filter((p) => p instanceof ArtifactPlugin)).toEqual([]);
    expect(exp.plugin(ArtifactPlugin)).toBe(foreign);
    await exp.run();
    expect(existsSync(join(root, 'foreign-artifacts', 'v0', 'baseline', 'results.json'))).toBe(
      true,
    );
    // resume reads through the same foreign plugin
    const resumed = await exp.run({ strategy: 'resume' });
    expect(resumed.provenance.conditions?.['baseline']?.reused).toBe(true);
  });

  it('seeds replicates through a SeedPlugin-shaped class that does not extend BasePlugin', async () => {
    const exp = new Experiment({
      name: 'foreign-seed',
      datasource: () => 0,
      pipeline: [Seeded],
      replicates: 3,
      plugins: [new ForeignSeedPlugin(100) as never, new ArtifactPlugin({ rootDir: tempDir() })],
      cache: false,
    });
    expect(exp.plugins.filter((p) => p instanceof SeedPlugin)).toEqual([]);
    expect(exp.plugin(SeedPlugin)).toBeInstanceOf(ForeignSeedPlugin);
    const result = await exp.run();
    expect(result.metrics.baseline.metrics['seed']).toEqual([100, 101, 102]);
  });

  it('takes a LoggingPlugin-shaped object as the logging plugin (no default one added)', () => {
    const exp = new Experiment({
      name: 'foreign-logging',
      datasource: () => 0,
      pipeline: [ComputeSum],
      plugins: [quietLogging as never],
    });
    expect(exp.plugins.filter((p) => p instanceof LoggingPlugin)).toEqual([]);
    expect(exp.plugin(LoggingPlugin)).toBe(quietLogging);
  });

  it('runs replicates through a plain object with runExperimentLoop as the execution backend', async () => {
    const seen: number[] = [];
    const backend: ExecutionBackend = {
      concurrentInThread: false,
      async runExperimentLoop(_e: ExperimentModel, run: ReplicateFn, o: LoopOptions) {
        for (const r of [...o.replicates].reverse()) {
          seen.push(r);
          o.onReplicateDone(await run(r));
        }
      },
    };
    const exp = new Experiment({
      name: 'foreign-backend',
      datasource: () => [1, 2],
      pipeline: [ComputeSum],
      replicates: 3,
      plugins: [backend, new ArtifactPlugin({ rootDir: tempDir() }), quietLogging as never],
    });
    expect(exp.execution).toBe(backend);
    const result = await exp.run();
    expect(seen).toEqual([2, 1, 0]);
    expect(result.metrics.baseline.metrics['sum']).toEqual([3, 3, 3]);
  });

  it('calls the hooks of a plain-object plugin and accepts it in validate()', async () => {
    const events: string[] = [];
    const observer = {
      initHook: () => void events.push('init'),
      afterRun: (_e: ExperimentModel, r: Result) => void events.push(`afterRun:${r.ok}`),
    };
    const exp = new Experiment({
      name: 'plain-observer',
      datasource: () => [1],
      pipeline: [ComputeSum],
      plugins: [observer, new ArtifactPlugin({ rootDir: tempDir() }), quietLogging as never],
    });
    expect(() => exp.validate()).not.toThrow();
    await exp.run();
    expect(events).toEqual(['init', 'afterRun:true']);
  });

  it('binds an artifact @Param by its brand, whichever copy of Artifact made it', async () => {
    const root = tempDir();
    const foreignArtifact = {
      [ARTIFACT]: true as const,
      name: 'note.txt',
      bind(ctx: FrozenContext, step: string) {
        return { write: (text: string) => ctx.artifacts.add('note.txt', text, step) };
      },
    };
    class Writes extends Step<unknown, unknown> {
      @Param() note: unknown = foreignArtifact;
      @PipelineStep()
      run(data: unknown): unknown {
        (this.note as { write(t: string): void }).write('hello');
        return data;
      }
    }
    const exp = new Experiment({
      name: 'foreign-artifact-param',
      datasource: () => 0,
      pipeline: [Writes],
      plugins: [new ArtifactPlugin({ rootDir: root }), quietLogging as never],
      cache: false,
    });
    const result = await exp.run();
    expect(result.errors).toEqual({});
    const file = join(root, 'foreign-artifact-param', 'v0', 'replicate_0', 'baseline', 'Writes');
    expect(readFileSync(join(file, 'note.txt'), 'utf8')).toBe('hello');
  });

  it('still rejects an object with no hook and no kind as a plugin', () => {
    const exp = new Experiment({
      name: 'not-a-plugin',
      datasource: () => 0,
      pipeline: [ComputeSum],
      plugins: [{ hello: 1 } as never],
    });
    expect(() => exp.validate()).toThrow(/plugins\[0\] is not a plugin/);
  });
});
