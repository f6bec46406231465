import {
  ArtifactLog,
  ContextMutationError,
  FrozenContext,
  Metrics,
  createRng,
  rootLogger,
  standaloneContext,
} from '@crystallize/core';

describe('ctx.metrics', () => {
  it('appends values per name in order and never overwrites', () => {
    const ctx = standaloneContext();
    ctx.metrics.add('loss', 0.5);
    ctx.metrics.add('loss', 0.25);
    ctx.metrics.add('acc', 0.9);
    expect(ctx.metrics.get('loss')).toEqual([0.5, 0.25]);
    expect(ctx.metrics.get('acc')).toEqual([0.9]);
    expect(ctx.metrics.names()).toEqual(['loss', 'acc']);
    expect(ctx.metrics.toObject()).toEqual({ loss: [0.5, 0.25], acc: [0.9] });
  });

  it('returns an empty array for a metric never recorded', () => {
    expect(new Metrics().get('nothing')).toEqual([]);
    expect(new Metrics().has('nothing')).toBe(false);
  });

  it('keeps the tags given with each value, aligned with the values', () => {
    const metrics = new Metrics();
    metrics.add('acc', 0.9, { split: 'test' });
    metrics.add('acc', 0.8);
    metrics.add('acc', 0.7, { split: 'train', fold: 2 });
    expect(metrics.tags('acc')).toEqual([
      { split: 'test' },
      undefined,
      { split: 'train', fold: 2 },
    ]);
  });

  it('records through ctx.record exactly like ctx.metrics.add', () => {
    const ctx = standaloneContext();
    ctx.record('total', 6, { unit: 'items' });
    expect(ctx.metrics.get('total')).toEqual([6]);
    expect(ctx.metrics.tags('total')).toEqual([{ unit: 'items' }]);
  });

  it('cannot be changed through what get, tags or toObject return, nor by the caller after add', () => {
    const metrics = new Metrics();
    const value = { n: 1 };
    const tags = { split: 'a' };
    metrics.add('m', value, tags);
    value.n = 2;
    tags.split = 'b';
    expect(() => (metrics.get('m') as unknown[]).push(3)).toThrow(TypeError);
    (metrics.toObject()['m'] as unknown[]).push(3);
    expect(metrics.get('m')).toEqual([{ n: 1 }]);
    expect(metrics.tags('m')).toEqual([{ split: 'a' }]);
  });

  it('rejects an empty metric name', () => {
    expect(() => new Metrics().add('', 1)).toThrow(/non-empty string/);
  });
});

describe('ctx.artifacts', () => {
  it('logs artifacts by name with the step that wrote them', () => {
    const ctx = standaloneContext();
    ctx.artifacts.add('model.bin', new Uint8Array([1]), 'Train');
    ctx.artifacts.add('notes.txt', 'hello');
    expect(ctx.artifacts.names()).toEqual(['model.bin', 'notes.txt']);
    expect(ctx.artifacts.get('model.bin')).toEqual({
      name: 'model.bin',
      data: new Uint8Array([1]),
      step: 'Train',
    });
    expect(ctx.artifacts.has('notes.txt')).toBe(true);
    expect(ctx.artifacts.size).toBe(2);
  });

  it('accepts each name once and names the duplicate', () => {
    const log = new ArtifactLog();
    log.add('out.json', { a: 1 });
    expect(() => log.add('out.json', { a: 2 })).toThrow(ContextMutationError);
    expect(() => log.add('out.json', { a: 2 })).toThrow(/Artifact 'out\.json' was already added/);
    expect(log.get('out.json')?.data).toEqual({ a: 1 });
  });
});

describe('ctx.logger', () => {
  it('is a pino logger', () => {
    const logger = standaloneContext().logger;
    expect(typeof logger.info).toBe('function');
    expect(typeof logger.child).toBe('function');
    expect(typeof logger.level).toBe('string');
    const child = logger.child({ step: 'ScaleData' });
    expect(typeof child.warn).toBe('function');
    expect(child.bindings()).toEqual({ step: 'ScaleData' });
  });

  it('takes its level from CRYSTALLIZE_LOG_LEVEL', () => {
    expect(rootLogger().level).toBe(process.env['CRYSTALLIZE_LOG_LEVEL'] ?? 'info');
  });

  it('uses the logger given in the options', () => {
    const logger = rootLogger().child({ run: 'r1' });
    expect(new FrozenContext({}, { logger }).logger).toBe(logger);
  });
});

describe('ctx.rng', () => {
  const draws = (seed: number) => {
    const rng = createRng(seed);
    return [rng.next(), rng.int(1, 6), rng.normal(), rng.shuffle([1, 2, 3, 4, 5])];
  };

  it('gives the same draws for the same seed and different draws for another', () => {
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
  });

  it('is seeded from seed_used in the context', () => {
    const a = new FrozenContext({ seed_used: 1234 }).rng;
    const b = new FrozenContext({ seed_used: 1234 }).rng;
    expect(a.seed).toBe(1234);
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    expect(new FrozenContext({ seed_used: 99 }).rng.next()).not.toBe(
      new FrozenContext({ seed_used: 1234 }).rng.next(),
    );
  });

  it('keeps one stream per context', () => {
    const ctx = standaloneContext();
    expect(ctx.rng).toBe(ctx.rng);
  });

  it('draws floats in [0, 1) and integers within [lo, hi] inclusive', () => {
    const rng = createRng(1);
    const ints = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      ints.add(rng.int(2, 4));
    }
    expect([...ints].sort()).toEqual([2, 3, 4]);
    expect(() => rng.int(5, 1)).toThrow(RangeError);
  });

  it('shuffles into a permutation without touching the input', () => {
    const input = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8]);
    const out = createRng(3).shuffle(input);
    expect([...out].sort()).toEqual([...input]);
    expect(out).not.toBe(input);
  });

  it('draws normals with roughly the requested mean and sd', () => {
    const rng = createRng(11);
    const xs = Array.from({ length: 4000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    expect(mean).toBeCloseTo(10, 0);
    expect(sd).toBeGreaterThan(1.8);
    expect(sd).toBeLessThan(2.2);
  });
});

describe('rng seeding', () => {
  it('does not correlate the first draws of replicate seeds a fixed step apart', () => {
    // Replicate seeds follow (seed + r * 31337); an unmixed seed made every first draw ~0.999.
    const firsts = Array.from({ length: 200 }, (_, r) => createRng((42 + r * 31337) >>> 0).next());
    const mean = firsts.reduce((a, b) => a + b, 0) / firsts.length;
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.6);
    expect(firsts.filter((x) => x < 0.25).length).toBeGreaterThan(25);
    expect(firsts.filter((x) => x > 0.75).length).toBeGreaterThan(25);
  });
});

describe('rng streams of one seed', () => {
  const pearson = (xs: readonly number[], ys: readonly number[]): number => {
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
  };
  const draws = (seed: number, stream: 'context' | 'mathRandom', n = 10_000): number[] => {
    const rng = createRng(seed, stream);
    return Array.from({ length: n }, () => rng.next());
  };

  it("keeps 'context' as the default stream, so ctx.rng draws are what createRng(seed) gives", () => {
    expect(createRng(7).stream).toBe('context');
    expect(draws(7, 'context', 50)).toEqual(
      Array.from(
        { length: 50 },
        (
          (r) => () =>
            r.next()
        )(createRng(7)),
      ),
    );
    expect(new FrozenContext({ seed_used: 7 }).rng.next()).toBe(createRng(7, 'context').next());
  });

  it("gives the 'context' and 'mathRandom' streams uncorrelated draws over 10k, with no draw in common", () => {
    // Replicate seeds of the default formula and a few edge seeds.
    const seeds = [
      0,
      1,
      2 ** 32 - 1,
      ...Array.from({ length: 12 }, (_, r) => (42 + r * 31337) >>> 0),
    ];
    for (const seed of seeds) {
      const ctx = draws(seed, 'context');
      const math = draws(seed, 'mathRandom');
      // 4 standard errors of r for independent streams (1/sqrt(10k) = 0.01).
      expect({ seed, r: Math.abs(pearson(ctx, math)) < 0.04 }).toEqual({ seed, r: true });
      // Lagged copies would share values: no value of one stream appears anywhere in the other.
      const seen = new Set(ctx);
      expect({ seed, shared: math.filter((x) => seen.has(x)).length }).toEqual({ seed, shared: 0 });
      // And neither is a lagged copy correlated at small lags.
      for (const lag of [1, 2, 3]) {
        expect(Math.abs(pearson(ctx.slice(lag), math.slice(0, -lag)))).toBeLessThan(0.04);
        expect(Math.abs(pearson(ctx.slice(0, -lag), math.slice(lag)))).toBeLessThan(0.04);
      }
    }
  });

  it("never starts one seed's 'mathRandom' stream where another replicate seed's ctx.rng starts", () => {
    const seeds = Array.from({ length: 2000 }, (_, r) => (42 + r * 31337) >>> 0);
    const contextFirst = new Set(seeds.map((s) => createRng(s, 'context').next()));
    expect(seeds.filter((s) => contextFirst.has(createRng(s, 'mathRandom').next()))).toEqual([]);
  });

  it('rejects an unknown stream name, listing the known ones', () => {
    expect(() => createRng(1, 'other' as 'context')).toThrow(
      /unknown stream "other"; use one of 'context', 'mathRandom'/,
    );
  });
});
