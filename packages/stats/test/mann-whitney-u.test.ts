import { mannWhitneyUTest, computeMannWhitneyUTest } from '@crystallize/stats';

/** P-values by brute force: every split of the pooled values, U from pairwise comparisons. */
function bruteForce(treatment: number[], baseline: number[]) {
  const pooled = [...treatment, ...baseline];
  const n1 = treatment.length;
  const u = (t: number[], b: number[]) =>
    t.reduce((acc, x) => acc + b.reduce((a, y) => a + (x > y ? 1 : x === y ? 0.5 : 0), 0), 0);
  const observed = u(treatment, baseline);
  let ge = 0;
  let le = 0;
  let total = 0;
  const visit = (start: number, chosen: number[]) => {
    if (chosen.length === n1) {
      const t = chosen.map((i) => pooled[i]!);
      const b = pooled.filter((_, i) => !chosen.includes(i));
      const v = u(t, b);
      total++;
      if (v >= observed) ge++;
      if (v <= observed) le++;
      return;
    }
    for (let i = start; i < pooled.length; i++) visit(i + 1, [...chosen, i]);
  };
  visit(0, []);
  return {
    greater: ge / total,
    less: le / total,
    twoSided: Math.min(1, (2 * Math.min(ge, le)) / total),
  };
}

describe('mannWhitneyUTest', () => {
  it("reports the treatment's U, Cliff's delta and the method used", () => {
    const r = mannWhitneyUTest()({ x: [1, 2, 3] }, { x: [4, 5, 6] });
    expect(r.statistic).toBe(9);
    expect(r.effect_size).toBe(1);
    expect(r.method).toBe('exact');
    expect(r.p_value).toBeCloseTo(0.1, 15); // 2 / C(6, 3)
  });

  it("uses the normal approximation under 'auto' once there are ties", () => {
    const r = mannWhitneyUTest()({ x: [1, 2, 2, 3] }, { x: [2, 3, 4, 5] });
    expect(r.method).toBe('asymptotic');
    expect(r.ties).toBe(true);
  });

  it('gives the exact permutation p-value with ties when asked for the exact method', () => {
    const t = [1, 2, 2, 3, 3, 5];
    const b = [0, 1, 1, 2, 2];
    const ref = bruteForce(t, b);
    const p = (alternative: 'greater' | 'less' | 'two-sided') =>
      computeMannWhitneyUTest(t, b, { method: 'exact', alternative }).p_value;
    expect(p('greater')).toBeCloseTo(ref.greater, 14);
    expect(p('less')).toBeCloseTo(ref.less, 14);
    expect(p('two-sided')).toBeCloseTo(ref.twoSided, 14);
  });

  // Its speed (a dynamic programme, not enumeration of C(1008, 8) splits) is guarded by jest's
  // per-test timeout; unit tests make no wall-clock assertions.
  it('computes the exact distribution for a small sample against a large one', () => {
    const big = Array.from({ length: 1000 }, (_, i) => i * 1.001);
    const small = [3.5, 400.2, 999.9, 12.25, 640.5, 77.7, 2.2, 501.1];
    const r = computeMannWhitneyUTest(small, big, { method: 'exact' });
    expect(r.method).toBe('exact');
    expect(r.p_value).toBeGreaterThan(0);
    expect(r.p_value).toBeLessThanOrEqual(1);
  });

  it('rejects an unknown method', () => {
    expect(() =>
      mannWhitneyUTest({ method: 'magic' as never })({ x: [1, 2] }, { x: [3, 4] }),
    ).toThrow(/'method' must be one of 'auto', 'exact', 'asymptotic'/);
  });
});
