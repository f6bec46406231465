import 'reflect-metadata';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FrozenContext,
  hashValue,
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
  Pipeline,
  type StepOutputCache,
} from '@crystallize/orchestrator';
import { CacheStore } from '@crystallize/cache';
import { stepKeyOf } from '../src/pipeline/step-execution.js';
import { ComputeSum, FileStepCache, recordsOf, tempDir } from './helpers.js';

const calls: Record<string, number> = {};
const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);

/** Cacheable, injected `factor`; records a metric, an artifact and a context key. */
class Expensive extends Step<number[], number[]> {
  @Param() factor = 1;
  @Param() report = new Artifact<{ factor: number }>('report.json');

  @PipelineStep({ cacheable: true })
  run(data: number[], ctx: FrozenContext): number[] {
    count('Expensive');
    ctx.metrics.add('expensive_len', data.length, { phase: 'fit' });
    ctx.add('fitted_factor', this.factor);
    this.report.write({ factor: this.factor });
    return data.map((x) => x * this.factor);
  }
}

class UsesFitted extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    count('UsesFitted');
    ctx.metrics.add('fitted', ctx.get('fitted_factor', -1));
    return data;
  }
}

class Counted extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[]): number[] {
    count('Counted');
    return data;
  }
}

function build(
  cache: StepOutputCache | false,
  opts: {
    input?: number[];
    pipeline?: Pipeline;
    rootDir?: string;
    treatments?: ReturnType<typeof treatment>[];
  } = {},
): Experiment {
  const input = opts.input ?? [1, 2, 3];
  return new Experiment({
    name: 'caching',
    datasource: () => input,
    pipeline: opts.pipeline ?? new Pipeline([Expensive, UsesFitted, ComputeSum]),
    treatments: opts.treatments ?? [],
    plugins: [
      new ArtifactPlugin({ rootDir: opts.rootDir ?? tempDir() }),
      new LoggingPlugin({ level: 'silent' }),
    ],
    cache,
  });
}

beforeEach(() => {
  for (const k of Object.keys(calls)) delete calls[k];
});

/** Entry files under a store's folder (`<stepKey>/<inputKey>.<ext>`). */
function entriesOn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(bin|msgpack)$/.test(d.name))
    .map((d) => d.name);
}

type Store = StepOutputCache & { readonly dir: string };
const stores: [string, (dir: string) => Store][] = [
  ['a file-backed StepOutputCache', (dir) => new FileStepCache(dir)],
  ["@crystallize/cache's CacheStore", (dir) => new CacheStore({ dir })],
];

describe.each(stores)('caching through the experiment with %s', (_label, makeStore) => {
  const newStore = (): Store => makeStore(tempDir());

  it('serves the second run of a cacheable step from the store (cacheHit in provenance)', async () => {
    const cache = newStore();
    const first = await build(cache).run();
    expect(recordsOf(first)[0]![0]!.cacheHit).toBe(false);
    expect(calls['Expensive']).toBe(1);
    expect(entriesOn(cache.dir)).toHaveLength(1);

    const second = await build(cache).run();
    const rec = recordsOf(second)[0]![0]!;
    expect(rec.cacheHit).toBe(true);
    expect(calls['Expensive']).toBe(1); // not called again
    expect(rec.outputHash).toBe(recordsOf(first)[0]![0]!.outputHash);
    expect(second.metrics.baseline.metrics['sum']).toEqual([6]);
  });

  it('reuses an entry across replicates with the same input and params', async () => {
    const cache = newStore();
    const result = await build(cache).run({ replicates: 3 });
    expect(recordsOf(result).map((r) => r[0]!.cacheHit)).toEqual([false, true, true]);
    expect(calls['Expensive']).toBe(1);
  });

  it('gives a treatment that changes an injected parameter its own cache entry', async () => {
    const cache = newStore();
    const treatments = [treatment('triple', { factor: 3 })];
    const first = await build(cache, { treatments }).run();
    expect(first.metrics.baseline.metrics['sum']).toEqual([6]);
    expect(first.metrics.treatments['triple']!.metrics['sum']).toEqual([18]);
    expect(recordsOf(first, 'triple')[0]![0]!.cacheHit).toBe(false);
    expect(recordsOf(first, 'triple')[0]![0]!.params).toMatchObject({ factor: 3 });
    expect(entriesOn(cache.dir)).toHaveLength(2);
    expect(recordsOf(first, 'triple')[0]![0]!.cacheKey).not.toBe(recordsOf(first)[0]![0]!.cacheKey);

    const second = await build(cache, { treatments }).run();
    expect(recordsOf(second)[0]![0]!.cacheHit).toBe(true);
    expect(recordsOf(second, 'triple')[0]![0]!.cacheHit).toBe(true);
    expect(second.metrics.baseline.metrics['sum']).toEqual([6]);
    expect(second.metrics.treatments['triple']!.metrics['sum']).toEqual([18]);
    expect(calls['Expensive']).toBe(2);
  });

  it('reruns a cached step when its explicit params change', async () => {
    const cache = newStore();
    await build(cache, {
      pipeline: new Pipeline([Expensive.with({ factor: 2 }), ComputeSum]),
    }).run();
    const other = await build(cache, {
      pipeline: new Pipeline([Expensive.with({ factor: 4 }), ComputeSum]),
    }).run();
    expect(recordsOf(other)[0]![0]!.cacheHit).toBe(false);
    expect(other.metrics.baseline.metrics['sum']).toEqual([24]);
    expect(calls['Expensive']).toBe(2);
  });

  it('reruns a cached step when its input changes', async () => {
    const cache = newStore();
    await build(cache, { input: [1, 2, 3] }).run();
    const other = await build(cache, { input: [1, 2, 4] }).run();
    expect(recordsOf(other)[0]![0]!.cacheHit).toBe(false);
    expect(other.metrics.baseline.metrics['sum']).toEqual([7]);
    expect(calls['Expensive']).toBe(2);
  });

  it('restores the metrics, artifacts and context keys a cached step recorded on a hit', async () => {
    const cache = newStore();
    const missRoot = tempDir();
    const hitRoot = tempDir();
    const miss = await build(cache, { rootDir: missRoot }).run();
    const hit = await build(cache, { rootDir: hitRoot }).run();
    expect(recordsOf(hit)[0]![0]!.cacheHit).toBe(true);
    expect(calls['Expensive']).toBe(1);
    expect(hit.metrics.baseline.metrics).toEqual(miss.metrics.baseline.metrics);
    expect(hit.metrics.baseline.metrics['expensive_len']).toEqual([3]);
    // The downstream step saw the context key the cached step added.
    expect(hit.metrics.baseline.metrics['fitted']).toEqual([1]);
    expect(recordsOf(hit)[0]![0]!.ctxChanges).toEqual(recordsOf(miss)[0]![0]!.ctxChanges);
    // The artifact file is written again for the run that hit the cache.
    const rel = join('caching', 'v0', 'replicate_0', 'baseline', 'Expensive', 'report.json');
    expect(existsSync(join(missRoot, rel))).toBe(true);
    expect(existsSync(join(hitRoot, rel))).toBe(true);
    expect(JSON.parse(readFileSync(join(hitRoot, rel), 'utf8'))).toEqual({ factor: 1 });
    expect(hit.artifacts['baseline']).toEqual(miss.artifacts['baseline']);
  });

  it('never serves non-cacheable steps from the store', async () => {
    const cache = newStore();
    const pipeline = () => new Pipeline([Counted, ComputeSum]);
    await build(cache, { pipeline: pipeline() }).run({ replicates: 2 });
    const second = await build(cache, { pipeline: pipeline() }).run({ replicates: 2 });
    expect(
      recordsOf(second)
        .flat()
        .every((r) => r.cacheHit === false),
    ).toBe(true);
    expect(calls['Counted']).toBe(4);
    expect(entriesOn(cache.dir)).toEqual([]);
  });

  it('runs everything uncached with cache: false', async () => {
    await build(false).run({ replicates: 2 });
    const second = await build(false).run({ replicates: 2 });
    expect(
      recordsOf(second)
        .flat()
        .every((r) => r.cacheHit === false),
    ).toBe(true);
    expect(calls['Expensive']).toBe(4);
  });
});

describe('the default step cache', () => {
  const saved = process.env['CRYSTALLIZE_CACHE_DIR'];
  afterEach(() => {
    if (saved === undefined) delete process.env['CRYSTALLIZE_CACHE_DIR'];
    else process.env['CRYSTALLIZE_CACHE_DIR'] = saved;
  });

  it('stores cacheable steps as <CRYSTALLIZE_CACHE_DIR>/<cacheKey>/<inputHash>.msgpack', async () => {
    const dir = tempDir();
    process.env['CRYSTALLIZE_CACHE_DIR'] = dir;
    const make = () =>
      new Experiment({
        name: 'default-cache',
        datasource: () => [1, 2, 3],
        pipeline: [Expensive, UsesFitted, ComputeSum],
        plugins: [
          new ArtifactPlugin({ rootDir: tempDir() }),
          new LoggingPlugin({ level: 'silent' }),
        ],
      });
    const first = await make().run();
    const rec = recordsOf(first)[0]![0]!;
    expect(existsSync(join(dir, rec.cacheKey, `${rec.inputHash}.msgpack`))).toBe(true);
    expect(entriesOn(dir)).toHaveLength(1);
    const second = await make().run();
    expect(recordsOf(second)[0]![0]!.cacheHit).toBe(true);
    expect(calls['Expensive']).toBe(1);
    expect(second.metrics.baseline.metrics).toEqual(first.metrics.baseline.metrics);
  });
});

describe('cacheable steps whose output cannot be encoded', () => {
  class MakesClosure extends Step<number, { fn: () => number }> {
    @PipelineStep({ cacheable: true })
    run(x: number): { fn: () => number } {
      return { fn: () => x };
    }
  }
  class CallsIt extends Step<{ fn: () => number }, number> {
    @PipelineStep()
    run(data: { fn: () => number }, ctx: FrozenContext): number {
      ctx.metrics.add('y', data.fn());
      return data.fn();
    }
  }

  function make(root: string, cacheDir: string, onUnencodable?: 'error' | 'skip'): Experiment {
    return new Experiment({
      name: 'unencodable',
      datasource: () => 3,
      pipeline: [MakesClosure, CallsIt],
      plugins: [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })],
      cache: new CacheStore({ dir: cacheDir }),
      ...(onUnencodable ? { onUnencodable } : {}),
    });
  }

  it('fail the replicate with a CacheError that names the step and the value', async () => {
    const cacheDir = tempDir();
    const result = await make(tempDir(), cacheDir).run();
    const error = result.errors['baseline_rep_0'] as Error & { stepName?: string; cause?: unknown };
    expect(error.name).toBe('PipelineExecutionError');
    expect(error.stepName).toBe('MakesClosure');
    expect(error.message).toMatch(
      /Cannot cache entry .*: output\.fn is a function.*onUnencodable: 'skip'/,
    );
    expect(entriesOn(cacheDir)).toHaveLength(0);
  });

  it("run uncached with a warning in the run log under onUnencodable: 'skip'", async () => {
    const root = tempDir();
    const cacheDir = tempDir();
    const result = await make(root, cacheDir, 'skip').run({ replicates: 2 });
    expect(result.errors).toEqual({});
    expect(result.metrics.baseline.metrics['y']).toEqual([3, 3]);
    expect(entriesOn(cacheDir)).toHaveLength(0);
    const log = readFileSync(join(root, 'unencodable', 'v0', 'run.log'), 'utf8');
    expect(log).toMatch(/step 'MakesClosure': output not cached/);
  });
});

describe('cache keys of a cacheable step', () => {
  /** Cacheable, two untyped params (a null default means no coercion): returns what it saw. */
  class Describe extends Step<number, string> {
    @Param() a: unknown = null;
    @Param() b: unknown = null;

    @PipelineStep({ cacheable: true })
    run(): string {
      return `${show(this.a)} ${show(this.b)}`;
    }
  }
  function show(v: unknown): string {
    if (Object.is(v, -0)) return 'number:-0';
    return `${typeof v}:${typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v))}`;
  }

  // Pairs of parameter sets that differ for hashValue, several of which shared one memo key.
  const sets: Record<string, Record<string, unknown>> = {
    zero: { a: 0 },
    'negative-zero': { a: -0 },
    'zero-in-b': { a: 'x', b: 0 },
    'negative-zero-in-b': { a: 'x', b: -0 },
    one: { a: 1 },
    'one-string': { a: '1' },
    nan: { a: NaN },
    'nan-string': { a: 'NaN' },
    undefined: { a: undefined },
    'undefined-string': { a: 'undefined' },
    true: { a: true },
    'true-string': { a: 'true' },
    'separator-in-a': { a: 'p|b:string:q', b: 'r' },
    'separator-in-b': { a: 'p', b: 'q|b:string:r' },
    'colon-in-a': { a: 'x:y', b: 'z' },
    'colon-in-b': { a: 'x', b: 'y:z' },
  };

  function make(cacheDir: string): Experiment {
    return new Experiment({
      name: 'exact-keys',
      datasource: () => 1,
      pipeline: [new Describe()],
      treatments: Object.entries(sets).map(([name, values]) => treatment(name, values)),
      plugins: [new ArtifactPlugin({ rootDir: tempDir() }), new LoggingPlugin({ level: 'silent' })],
      cache: new CacheStore({ dir: cacheDir }),
    });
  }

  const expected = (name: string): string => {
    const values = { a: null, b: null, ...sets[name] };
    return `${show(values.a)} ${show(values.b)}`;
  };

  it('give parameter sets that differ only in -0, type or a separator-like string distinct outputs', async () => {
    const cacheDir = tempDir();
    const exp = make(cacheDir);
    for (const run of [1, 2]) {
      const result = await exp.run({ replicates: 2 });
      expect(result.errors).toEqual({});
      const keys = new Set<string>();
      for (const name of ['baseline', ...Object.keys(sets)]) {
        const [rep0, rep1] = recordsOf(result, name);
        // The second replicate is served from the memo, the first (of the first run) from hashValue.
        for (const record of [rep0![0]!, rep1![0]!]) {
          expect({ name, outputHash: record.outputHash }).toEqual({
            name,
            outputHash: hashValue(expected(name)),
          });
        }
        expect(rep0![0]!.cacheHit).toBe(run === 2);
        expect(rep1![0]!.cacheKey).toBe(rep0![0]!.cacheKey);
        keys.add(rep0![0]!.cacheKey);
      }
      expect(keys.size).toBe(Object.keys(sets).length + 1);
    }
  });

  it('give a one-parameter step distinct entries for 0 and -0', async () => {
    class Sign extends Step<number, number> {
      @Param() x = 0;
      @PipelineStep({ cacheable: true })
      run(): number {
        return Object.is(this.x, -0) ? -1 : 1;
      }
    }
    const make = (cacheDir: string): Experiment =>
      new Experiment({
        name: 'exact-keys-one',
        datasource: () => 1,
        pipeline: [new Sign()],
        treatments: [treatment('negative-zero', { x: -0 })],
        plugins: [
          new ArtifactPlugin({ rootDir: tempDir() }),
          new LoggingPlugin({ level: 'silent' }),
        ],
        cache: new CacheStore({ dir: cacheDir }),
      });
    const cacheDir = tempDir();
    for (const run of [1, 2]) {
      const result = await make(cacheDir).run({ replicates: 2 });
      for (const [name, out] of [
        ['baseline', 1],
        ['negative-zero', -1],
      ] as const) {
        for (const reps of recordsOf(result, name)) {
          expect({ run, name, out: reps[0]!.outputHash }).toEqual({
            run,
            name,
            out: hashValue(out),
          });
        }
      }
    }
  });

  it('keep a bigint parameter apart from the equal number (stepKeyOf, memoised or not)', () => {
    const step = new Describe();
    for (const round of [1, 2]) {
      const asNumber = stepKeyOf(step, { a: 1, b: null });
      const asBigint = stepKeyOf(step, { a: 1n, b: null });
      expect({ round, same: asNumber.key === asBigint.key }).toEqual({ round, same: false });
      expect(asBigint.key).toBe(
        hashValue({ step: step.name, stepHash: step.stepHash, params: { a: 1n, b: null } }),
      );
    }
  });

  it('are the hashValue of the step identity and the resolved params, memoised or not', async () => {
    const step = new Describe();
    const exp = new Experiment({
      name: 'exact-keys-hash',
      datasource: () => 1,
      pipeline: [step],
      treatments: Object.entries(sets).map(([name, values]) => treatment(name, values)),
      plugins: [new ArtifactPlugin({ rootDir: tempDir() }), new LoggingPlugin({ level: 'silent' })],
      cache: new CacheStore({ dir: tempDir() }),
    });
    const result = await exp.run({ replicates: 2 });
    for (const name of ['baseline', ...Object.keys(sets)]) {
      const params = { a: null, b: null, ...sets[name] };
      const key = hashValue({ step: step.name, stepHash: step.stepHash, params });
      for (const reps of recordsOf(result, name)) expect(reps[0]!.cacheKey).toBe(key);
    }
  });
});
