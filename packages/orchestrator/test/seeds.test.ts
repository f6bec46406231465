import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRng,
  DEFAULT_MASTER_SEED,
  type FrozenContext,
  PipelineStep,
  Step,
  treatment,
} from '@crystallize/core';
import {
  ArtifactPlugin,
  AsyncExecution,
  Experiment,
  LoggingPlugin,
  SeedPlugin,
  SerialExecution,
  type BasePlugin,
} from '@crystallize/orchestrator';
import { quietPlugins, tempDir } from './helpers.js';

/** Records draws from ctx.rng and Math.random, and waits so async replicates interleave. */
class Draw extends Step<unknown, unknown> {
  @PipelineStep()
  async run(data: unknown, ctx: FrozenContext): Promise<unknown> {
    ctx.metrics.add('rng', ctx.rng.next());
    await new Promise((r) => setTimeout(r, (3 - Number(ctx.get('replicate'))) * 3));
    ctx.metrics.add('rng_int', ctx.rng.int(0, 1_000_000));
    ctx.metrics.add('seed_used', ctx.get<number>('seed_used', -1));
    ctx.metrics.add('math', Math.random());
    return data;
  }
}

class RngOnly extends Step<unknown, unknown> {
  @PipelineStep()
  async run(data: unknown, ctx: FrozenContext): Promise<unknown> {
    ctx.metrics.add('a', ctx.rng.next());
    await new Promise((r) => setTimeout(r, (4 - Number(ctx.get('replicate'))) * 2));
    ctx.metrics.add('b', ctx.rng.normal());
    ctx.metrics.add('shuffled', ctx.rng.shuffle([1, 2, 3, 4, 5]));
    return data;
  }
}

function exp(plugins: BasePlugin[] = [], step: new () => Step = Draw): Experiment {
  return new Experiment({
    name: 'seeds',
    datasource: () => 0,
    pipeline: [step],
    treatments: [treatment('t', { x: 1 })],
    plugins: [...plugins, ...quietPlugins()],
    cache: false,
  });
}

const UINT32 = 2 ** 32;

describe('SeedPlugin (SPEC §6)', () => {
  it('uses a fixed default master seed, so two runs give identical metrics', async () => {
    expect(new SeedPlugin().seed).toBe(DEFAULT_MASTER_SEED);
    const a = await exp().run({ replicates: 3 });
    const b = await exp().run({ replicates: 3 });
    expect(b.metrics.baseline.metrics).toEqual(a.metrics.baseline.metrics);
    expect(b.metrics.treatments['t']!.metrics).toEqual(a.metrics.treatments['t']!.metrics);
    expect(b.provenance.seeds).toEqual(a.provenance.seeds);
    // Different replicates draw different numbers.
    const draws = a.metrics.baseline.metrics['rng']!;
    expect(new Set(draws).size).toBe(3);
  });

  it('seeds replicate r with (seed + r * 31337) mod 2^32 and records it in provenance', async () => {
    const a = await exp().run({ replicates: 3 });
    const expected = [0, 1, 2].map((r) => (DEFAULT_MASTER_SEED + r * 31337) % UINT32);
    expect(a.provenance.seeds).toEqual({ baseline: expected, t: expected });
    expect(a.metrics.baseline.metrics['seed_used']).toEqual(expected);

    const wrap = await exp([new SeedPlugin({ seed: UINT32 - 1 })]).run({ replicates: 2 });
    expect(wrap.provenance.seeds['baseline']).toEqual([UINT32 - 1, 31336]);
    const seven = new SeedPlugin({ seed: 7 });
    expect(seven.seedFor(3)).toBe(7 + 3 * 31337);
  });

  it('gives baseline and treatments of one replicate the same seed and the same ctx.rng stream', async () => {
    const a = await exp().run({ replicates: 3 });
    expect(a.provenance.seeds['t']).toEqual(a.provenance.seeds['baseline']);
    expect(a.metrics.treatments['t']!.metrics['rng']).toEqual(a.metrics.baseline.metrics['rng']);
    expect(a.metrics.treatments['t']!.metrics['math']).toEqual(a.metrics.baseline.metrics['math']);
  });

  it('changes every draw when the master seed changes', async () => {
    const a = await exp().run({ replicates: 2 });
    const b = await exp([new SeedPlugin({ seed: 1234 })]).run({ replicates: 2 });
    expect(b.metrics.baseline.metrics['rng']).not.toEqual(a.metrics.baseline.metrics['rng']);
    expect(b.metrics.baseline.metrics['math']).not.toEqual(a.metrics.baseline.metrics['math']);
  });

  it('makes Math.random deterministic inside serial replicates and restores it after the run', async () => {
    const before = Math.random;
    const a = await exp([new SerialExecution()]).run({ replicates: 3 });
    expect(Math.random).toBe(before);
    const b = await exp([new SerialExecution()]).run({ replicates: 3 });
    expect(Math.random).toBe(before);
    expect(b.metrics.baseline.metrics['math']).toEqual(a.metrics.baseline.metrics['math']);
    expect(new Set(a.metrics.baseline.metrics['math']).size).toBe(3);
  });

  it('restores Math.random even when every replicate failed', async () => {
    class Boom extends Step {
      @PipelineStep()
      run(): never {
        Math.random();
        throw new Error('boom');
      }
    }
    const before = Math.random;
    const r = await exp([], Boom).run({ replicates: 2 });
    expect(Object.keys(r.errors)).toEqual(['baseline_rep_0', 'baseline_rep_1']);
    expect(Math.random).toBe(before);
  });

  it('restores Math.random when the run itself throws (a failing teardown)', async () => {
    class BadTeardown extends Step {
      override teardown(): void {
        throw new Error('teardown broke');
      }
      @PipelineStep()
      run(data: unknown): unknown {
        Math.random();
        return data;
      }
    }
    const before = Math.random;
    await expect(exp([], BadTeardown).run({ replicates: 1 })).rejects.toThrow('teardown broke');
    expect(Math.random).toBe(before);
  });

  it('calls a custom seedFn with each replicate seed, and not at all with autoSeed: false', async () => {
    const seen: number[] = [];
    await exp([new SeedPlugin({ seed: 10, seedFn: (s) => void seen.push(s) })]).run({
      replicates: 2,
    });
    // Once per replicate and condition (baseline, t).
    expect(seen).toEqual([10, 10, 10 + 31337, 10 + 31337]);
    const none: number[] = [];
    const r = await exp([
      new SeedPlugin({ seed: 10, autoSeed: false, seedFn: (s) => void none.push(s) }),
    ]).run({ replicates: 2 });
    expect(none).toEqual([]);
    // ctx.rng is still seeded from the replicate seed.
    expect(r.provenance.seeds['baseline']).toEqual([10, 10 + 31337]);
  });

  it('gives the same ctx.rng metrics and seeds under SerialExecution and AsyncExecution', async () => {
    const serial = await exp([new SerialExecution()], RngOnly).run({ replicates: 4 });
    const asyncRun = await exp([new AsyncExecution({ concurrency: 4 })], RngOnly).run({
      replicates: 4,
    });
    expect(asyncRun.errors).toEqual({});
    expect(asyncRun.metrics.baseline.metrics).toEqual(serial.metrics.baseline.metrics);
    expect(asyncRun.metrics.treatments['t']!.metrics).toEqual(
      serial.metrics.treatments['t']!.metrics,
    );
    expect(asyncRun.provenance.seeds).toEqual(serial.provenance.seeds);
  });

  it('warns in the run log that Math.random is not deterministic under AsyncExecution', async () => {
    const logOf = async (plugins: BasePlugin[]): Promise<string> => {
      const root = tempDir();
      const e = new Experiment({
        name: 'warn',
        datasource: () => 0,
        pipeline: [RngOnly],
        plugins: [
          ...plugins,
          new ArtifactPlugin({ rootDir: root }),
          new LoggingPlugin({ level: 'silent' }),
        ],
        cache: false,
      });
      await e.run({ replicates: 2 });
      return readFileSync(join(root, 'warn', 'v0', 'run.log'), 'utf8');
    };
    const asyncLog = await logOf([new AsyncExecution({ concurrency: 2 })]);
    const warning = asyncLog
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => /Math\.random/.test(l.msg));
    expect(warning).toBeDefined();
    expect(warning!.level).toBe(40);
    expect(warning!.msg).toMatch(/ctx\.rng/);
    expect(await logOf([new SerialExecution()])).not.toMatch(/Math\.random/);
    // No warning when the SeedPlugin does not touch Math.random.
    expect(
      await logOf([new AsyncExecution({ concurrency: 2 }), new SeedPlugin({ autoSeed: false })]),
    ).not.toMatch(/Math\.random/);
  });

  it('gives Math.random and ctx.rng independent streams inside a replicate (|r| small, no shared draw)', async () => {
    /** Mixes both sources, as user code does, and records how alike they were. */
    class Mixes extends Step<unknown, unknown> {
      @PipelineStep()
      run(data: unknown, ctx: FrozenContext): unknown {
        const fromCtx: number[] = [];
        const fromMath: number[] = [];
        for (let i = 0; i < 5000; i++) {
          fromCtx.push(ctx.rng.next());
          fromMath.push(Math.random());
        }
        const seen = new Set(fromCtx);
        ctx.metrics.add('shared', fromMath.filter((x) => seen.has(x)).length);
        ctx.metrics.add('abs_r', Math.abs(pearson(fromCtx, fromMath)));
        // The documented derivation: Math.random replays the seed's 'mathRandom' stream.
        const expected = createRng(ctx.get<number>('seed_used', -1), 'mathRandom');
        ctx.metrics.add(
          'documented',
          fromMath.every((x) => x === expected.next()),
        );
        return data;
      }
    }
    const result = await exp([], Mixes).run({ replicates: 3 });
    expect(result.errors).toEqual({});
    for (const m of [result.metrics.baseline.metrics, result.metrics.treatments['t']!.metrics]) {
      expect(m['shared']).toEqual([0, 0, 0]);
      expect(m['documented']).toEqual([true, true, true]);
      // 4 standard errors of r for 5000 independent pairs.
      for (const r of m['abs_r'] as number[]) expect(r).toBeLessThan(4 / Math.sqrt(5000));
    }
  });
});

function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}
