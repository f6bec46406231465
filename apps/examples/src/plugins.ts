/**
 * Plugins: hooks around a run (a custom plugin that records the lifecycle), seeding
 * (`SeedPlugin`), logging (`LoggingPlugin`), artifacts (`ArtifactPlugin`) and how replicates
 * execute (`SerialExecution`, `AsyncExecution`) — with identical `ctx.rng` results either way.
 *   node apps/examples/dist/plugins.js [dir]
 */
import 'reflect-metadata';
import { join } from 'node:path';
import {
  ArtifactPlugin,
  AsyncExecution,
  BasePlugin,
  CacheStore,
  Experiment,
  LoggingPlugin,
  Pipeline,
  PipelineStep,
  SeedPlugin,
  SerialExecution,
  Step,
  treatment,
  type FrozenContext,
  type Result,
  type RunContext,
} from 'crystallize';
import { exampleDir, isEntryPoint, tempDir } from './run-example.js';

/** Writes down every hook it sees, in order. */
export class LifecycleRecorder extends BasePlugin {
  readonly events: string[] = [];

  override initHook(exp: Experiment): void {
    this.events.push(`initHook ${exp.name}`);
  }
  override beforeRun(_exp: Experiment, run: RunContext): void {
    this.events.push(`beforeRun ${run.conditions.join(',')}`);
  }
  override beforeReplicate(_exp: Experiment, ctx: FrozenContext): void {
    this.events.push(
      `beforeReplicate ${String(ctx.get('condition'))} #${String(ctx.get('replicate'))}`,
    );
  }
  override beforeStep(_exp: Experiment, step: Step): void {
    this.events.push(`beforeStep ${step.name}`);
  }
  override afterStep(_exp: Experiment, step: Step): void {
    this.events.push(`afterStep ${step.name}`);
  }
  override afterRun(_exp: Experiment, result: Result): void {
    this.events.push(`afterRun errors=${Object.keys(result.errors).length}`);
  }
}

/** Draws from the seeded `ctx.rng`; `setup`/`teardown` run once per run. */
export class Sample extends Step<null, number> {
  /** Where setup/teardown note themselves (main() points it at the recorder's list). */
  static log: string[] = [];
  override setup(): void {
    Sample.log.push('setup Sample');
  }
  override teardown(): void {
    Sample.log.push('teardown Sample');
  }
  @PipelineStep()
  async run(_data: null, ctx: FrozenContext): Promise<number> {
    await new Promise((r) => setTimeout(r, 1)); // I/O-like wait: AsyncExecution overlaps these
    const draw = ctx.rng.normal(ctx.get('mu', 0), 1);
    ctx.metrics.add('draw', draw);
    return draw;
  }
}

function build(dir: string, plugins: BasePlugin[]): Experiment {
  return new Experiment({
    name: 'plugins-demo',
    datasource: () => null,
    pipeline: new Pipeline([Sample]),
    treatments: [treatment('shifted', { mu: 5 })],
    plugins: [
      new SeedPlugin({ seed: 2024 }), // replicate seed = (2024 + replicate * 31337) mod 2^32
      new ArtifactPlugin({ rootDir: join(dir, 'data') }),
      // Level from CRYSTALLIZE_LOG_LEVEL (default 'info'); JSON lines also go to <run dir>/run.log.
      new LoggingPlugin({ verbose: false }),
      ...plugins,
    ],
    cache: new CacheStore({ dir: join(dir, 'cache') }),
  });
}

export interface PluginsSummary {
  readonly events: string[];
  readonly seeds: Record<string, readonly number[]>;
  readonly serial: Record<string, readonly unknown[]>;
  readonly async: Record<string, readonly unknown[]>;
}

export async function main(dir = tempDir('plugins')): Promise<PluginsSummary> {
  // One replicate, so the recorded lifecycle stays short.
  const recorder = new LifecycleRecorder();
  const exp = build(join(dir, 'lifecycle'), [recorder]);
  Sample.log = recorder.events;
  await exp.run({ replicates: 1 });
  Sample.log = [];

  // The last execution plugin given wins; SerialExecution is the default.
  const serial = await build(join(dir, 'serial'), [new SerialExecution()]).run({ replicates: 6 });
  const concurrent = await build(join(dir, 'async'), [new AsyncExecution({ concurrency: 3 })]).run({
    replicates: 6,
  });
  const draws = (r: Result): Record<string, readonly unknown[]> => ({
    baseline: r.metrics.baseline.metrics['draw'] ?? [],
    shifted: r.metrics.treatments['shifted']?.metrics['draw'] ?? [],
  });
  return {
    events: recorder.events,
    seeds: serial.provenance.seeds,
    serial: draws(serial),
    async: draws(concurrent),
  };
}

if (isEntryPoint(import.meta.url)) console.dir(await main(exampleDir('plugins')), { depth: null });
