/*
 * Issue #10 points 15 and 18: steps' setup/teardown around run() and apply(), a description kept
 * in metadata.json, debug() by treatment name, and the verbose logging plugin's step lines.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineStep, Step, ValidationError, treatment } from '@crystallize/core';
import {
  ArtifactPlugin,
  Experiment,
  LoggingPlugin,
  type Result,
  type RunContext,
} from '@crystallize/orchestrator';
import { ComputeSum, RecordingPlugin, ScaleData, quietPlugins, tempDir } from './helpers.js';

/** Steps that log their setup/teardown into `events`; `failSetup` names the one whose setup throws. */
function hookedSteps(events: string[], failSetup?: string) {
  const make = (label: string) => {
    class Hooked extends Step<number[], number[]> {
      override setup(): void {
        events.push(`setup:${label}`);
        if (label === failSetup) throw new Error(`setup of ${label} broke`);
      }
      override teardown(): void {
        events.push(`teardown:${label}`);
      }
      @PipelineStep()
      run(data: number[]): number[] {
        events.push(`run:${label}`);
        return data;
      }
    }
    Object.defineProperty(Hooked, 'name', { value: `Hooked${label}` });
    return Hooked;
  };
  return [make('A'), make('B'), make('C')];
}

class FailurePlugin extends RecordingPlugin {
  override runFailed(_e: Experiment, error: unknown, _run: RunContext): void {
    this.events.push(`runFailed:${(error as Error).message}`);
  }
}

describe('steps whose setup throws', () => {
  it('tears down every step whose setup ran, tells plugins, and fails the run with the setup error', async () => {
    const events: string[] = [];
    const exp = new Experiment({
      name: 'setup-fails',
      datasource: () => [1],
      pipeline: [...hookedSteps(events, 'B'), ComputeSum],
      plugins: [new FailurePlugin(events), ...quietPlugins()],
      cache: false,
    });
    await expect(exp.run()).rejects.toThrow('setup of B broke');
    expect(events).toEqual([
      'initHook',
      'beforeRun:1xbaseline',
      'setup:A',
      'setup:B',
      'teardown:A',
      'runFailed:setup of B broke',
    ]);
  });

  it('tears down every step, in reverse order, when the run itself fails after setup', async () => {
    const events: string[] = [];
    class Exploding extends FailurePlugin {
      override afterStepRecord(): void {
        throw new Error('plugin broke');
      }
    }
    const exp = new Experiment({
      name: 'body-fails',
      datasource: () => [1],
      pipeline: hookedSteps(events),
      plugins: [new Exploding(events), ...quietPlugins()],
      cache: false,
    });
    await expect(exp.run()).rejects.toThrow('plugin broke');
    expect(events).toContain('runFailed:plugin broke');
    expect(events.filter((e) => e.startsWith('setup') || e.startsWith('teardown'))).toEqual([
      'setup:A',
      'setup:B',
      'setup:C',
      'teardown:C',
      'teardown:B',
      'teardown:A',
    ]);
  });

  it('calls runFailed only for plugins whose beforeRun finished', async () => {
    const events: string[] = [];
    class BrokenStart extends FailurePlugin {
      override beforeRun(): void {
        throw new Error('cannot start');
      }
    }
    const exp = new Experiment({
      name: 'plugin-start-fails',
      datasource: () => [1],
      pipeline: hookedSteps(events),
      plugins: [new FailurePlugin(events), new BrokenStart(events), ...quietPlugins()],
      cache: false,
    });
    await expect(exp.run()).rejects.toThrow('cannot start');
    expect(events).toEqual([
      'initHook',
      'initHook',
      'beforeRun:1xbaseline',
      'runFailed:cannot start',
    ]);
  });
});

describe('apply() and the step lifecycle', () => {
  it('runs setup before and teardown after the pipeline, like run()', async () => {
    const events: string[] = [];
    const exp = new Experiment({
      name: 'apply-hooks',
      datasource: () => [1, 2],
      pipeline: hookedSteps(events),
      plugins: quietPlugins(),
      cache: false,
    });
    expect(await exp.apply()).toEqual([1, 2]);
    expect(events).toEqual([
      'setup:A',
      'setup:B',
      'setup:C',
      'run:A',
      'run:B',
      'run:C',
      'teardown:C',
      'teardown:B',
      'teardown:A',
    ]);
  });

  it('tears down the steps set up when a setup throws in apply()', async () => {
    const events: string[] = [];
    const exp = new Experiment({
      name: 'apply-setup-fails',
      datasource: () => [1],
      pipeline: hookedSteps(events, 'C'),
      plugins: quietPlugins(),
      cache: false,
    });
    await expect(exp.apply()).rejects.toThrow('setup of C broke');
    expect(events).toEqual(['setup:A', 'setup:B', 'setup:C', 'teardown:B', 'teardown:A']);
  });
});

describe('description', () => {
  it('is kept from the options and the builder in metadata.json', async () => {
    const root = tempDir();
    const plugins = () => [
      new ArtifactPlugin({ rootDir: root }),
      new LoggingPlugin({ level: 'silent' }),
    ];
    const exp = new Experiment({
      name: 'described',
      description: 'Does scaling change the sum?',
      datasource: () => [1],
      pipeline: [ComputeSum],
      plugins: plugins(),
      cache: false,
    });
    expect(exp.description).toBe('Does scaling change the sum?');
    await exp.run();
    const meta = JSON.parse(readFileSync(join(root, 'described', 'v0', 'metadata.json'), 'utf8'));
    expect(meta.description).toBe('Does scaling change the sum?');
    expect(meta.ok).toBe(true);

    const built = Experiment.builder('built')
      .description('Built with a description')
      .datasource(() => [1])
      .addStep(ComputeSum)
      .plugins(plugins())
      .cache(false)
      .build();
    expect(built.description).toBe('Built with a description');
    await built.run();
    const meta2 = JSON.parse(readFileSync(join(root, 'built', 'v0', 'metadata.json'), 'utf8'));
    expect(meta2.description).toBe('Built with a description');
  });
});

describe('debug() by treatment name', () => {
  const exp = () =>
    new Experiment({
      name: 'debug-name',
      datasource: () => [1, 2, 3],
      pipeline: [ScaleData, ComputeSum],
      treatments: [treatment('double', { factor: 2 })],
      plugins: quietPlugins(),
      cache: false,
    });

  it('runs the named treatment', async () => {
    const result: Result = await exp().debug('double');
    expect(result.metrics.treatments['double']?.metrics).toEqual({ sum: [12] });
  });

  it("runs the baseline alone for 'baseline'", async () => {
    const result = await exp().debug('baseline');
    expect(result.metrics.baseline.metrics).toEqual({ sum: [6] });
    expect(result.metrics.treatments).toEqual({});
  });

  it('names the known treatments when the name is unknown', async () => {
    await expect(exp().debug('tripple')).rejects.toThrow(ValidationError);
    await expect(exp().debug('tripple')).rejects.toThrow(
      /has no treatment 'tripple' \(debug\)\. Its treatments: 'double'/,
    );
  });
});

describe('LoggingPlugin({ verbose: true })', () => {
  it('logs one line per step call with step, condition, replicate, duration and cache hit', async () => {
    const root = tempDir();
    const exp = new Experiment({
      name: 'verbose-steps',
      datasource: () => [1, 2],
      pipeline: [ScaleData, ComputeSum],
      treatments: [treatment('double', { factor: 2 })],
      plugins: [
        new ArtifactPlugin({ rootDir: root }),
        new LoggingPlugin({ level: 'silent', verbose: true }),
      ],
      cache: false,
    });
    await exp.run({ replicates: 2 });
    const lines = readFileSync(join(root, 'verbose-steps', 'v0', 'run.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['step'] !== undefined && l['durationMs'] !== undefined);
    // 2 steps x 2 conditions x 2 replicates
    expect(lines).toHaveLength(8);
    expect(
      lines
        .map((l) => `${String(l['condition'])}:${String(l['replicate'])}:${String(l['step'])}`)
        .sort(),
    ).toEqual([
      'baseline:0:ComputeSum',
      'baseline:0:ScaleData',
      'baseline:1:ComputeSum',
      'baseline:1:ScaleData',
      'double:0:ComputeSum',
      'double:0:ScaleData',
      'double:1:ComputeSum',
      'double:1:ScaleData',
    ]);
    for (const l of lines) {
      expect(typeof l['durationMs']).toBe('number');
      expect(l['cacheHit']).toBe(false);
      expect(l['msg']).toMatch(/^step '\w+' \((baseline|double), replicate \d\): [\d.]+ ms, ran$/);
    }
  });

  it('says cache hit for a step served from the cache', async () => {
    const root = tempDir();
    const cacheDir = tempDir();
    const { CacheStore } = await import('@crystallize/cache');
    const make = () =>
      new Experiment({
        name: 'verbose-cache',
        datasource: () => [1, 2],
        pipeline: [ScaleData, ComputeSum],
        plugins: [
          new ArtifactPlugin({ rootDir: root }),
          new LoggingPlugin({ level: 'silent', verbose: true }),
        ],
        cache: new CacheStore({ dir: cacheDir }),
      });
    await make().run();
    await make().run();
    const scale = readFileSync(join(root, 'verbose-cache', 'v0', 'run.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['step'] === 'ScaleData' && l['durationMs'] !== undefined);
    expect(scale).toHaveLength(1);
    expect(scale[0]?.['cacheHit']).toBe(true);
    expect(scale[0]?.['msg']).toMatch(/cache hit$/);
  });

  it('logs no step lines when not verbose', async () => {
    const root = tempDir();
    await new Experiment({
      name: 'quiet-steps',
      datasource: () => [1],
      pipeline: [ScaleData, ComputeSum],
      plugins: [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })],
      cache: false,
    }).run();
    const log = readFileSync(join(root, 'quiet-steps', 'v0', 'run.log'), 'utf8');
    expect(log).not.toContain('durationMs');
  });
});
