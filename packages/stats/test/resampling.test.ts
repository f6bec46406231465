import { bootstrapCI, permutationTest, welchTTest } from '@crystallize/stats';

const baseline = { score: Array.from({ length: 30 }, (_, i) => 10 + Math.sin(i) * 2) };
const treatment = { score: Array.from({ length: 30 }, (_, i) => 11 + Math.cos(i * 1.3) * 2) };

describe('permutationTest', () => {
  it('is reproducible: the same data and seed give the same p-value', () => {
    const a = permutationTest()(baseline, treatment);
    const b = permutationTest()(baseline, treatment);
    expect(a.method).toBe('monte-carlo');
    expect(a.p_value).toBe(b.p_value);
    expect(a.seed).toBe(42);
  });

  it('changes with the seed but stays within Monte Carlo error', () => {
    const a = permutationTest({ seed: 1 })(baseline, treatment);
    const b = permutationTest({ seed: 2 })(baseline, treatment);
    expect(a.p_value).not.toBe(b.p_value);
    expect(Math.abs(a.p_value - b.p_value)).toBeLessThan(0.02);
  });

  it('agrees roughly with Welch on well-behaved data', () => {
    const perm = permutationTest()(baseline, treatment);
    const welch = welchTTest()(baseline, treatment);
    expect(Math.abs(perm.p_value - welch.p_value)).toBeLessThan(0.02);
  });

  it('never reports p = 0 from random resampling', () => {
    const r = permutationTest({ nResamples: 99 })(
      { x: [1, 2, 3, 4, 5, 6] },
      { x: [100, 101, 102, 103, 104, 105] },
    );
    expect(r.method).toBe('monte-carlo');
    expect(r.p_value).toBeGreaterThan(0);
  });

  it('enumerates every split when there are few', () => {
    const r = permutationTest()({ x: [1, 2, 3] }, { x: [4, 5, 6] });
    expect(r.method).toBe('exact');
    expect(r.n_resamples).toBe(20);
    expect(r.p_value).toBeCloseTo(0.1, 15);
  });
});

describe('bootstrapCI', () => {
  it('is reproducible and brackets the observed mean difference', () => {
    const a = bootstrapCI()(baseline, treatment);
    const b = bootstrapCI()(baseline, treatment);
    expect(a).toEqual(b);
    expect(a.ci_low).toBeLessThan(a.statistic);
    expect(a.ci_high).toBeGreaterThan(a.statistic);
  });

  it('gives an interval close to the t-based one on well-behaved data', () => {
    const boot = bootstrapCI()(baseline, treatment);
    const welch = welchTTest()(baseline, treatment);
    const width = welch.ci_high - welch.ci_low;
    expect(Math.abs(boot.ci_low - welch.ci_low)).toBeLessThan(0.1 * width);
    expect(Math.abs(boot.ci_high - welch.ci_high)).toBeLessThan(0.1 * width);
  });

  it('calls a difference significant exactly when the interval excludes 0 (away from the edge)', () => {
    const clear = bootstrapCI()({ x: [1, 1.2, 0.9, 1.1, 1.0] }, { x: [2, 2.1, 1.9, 2.2, 2.05] });
    expect(clear.significant).toBe(true);
    expect(clear.ci_low).toBeGreaterThan(0);
    const none = bootstrapCI()({ x: [1, 2, 3, 4, 5] }, { x: [1.5, 2.5, 2.9, 4.1, 4.6] });
    expect(none.significant).toBe(false);
    expect(none.ci_low).toBeLessThan(0);
    expect(none.ci_high).toBeGreaterThan(0);
  });

  it('gives one-sided intervals for one-sided alternatives', () => {
    expect(bootstrapCI({ alternative: 'greater' })(baseline, treatment).ci_high).toBe(Infinity);
    expect(bootstrapCI({ alternative: 'less' })(baseline, treatment).ci_low).toBe(-Infinity);
  });
});
