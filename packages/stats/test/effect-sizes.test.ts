import {
  cliffsDelta,
  cohensD,
  hedgesCorrection,
  hedgesG,
  meanDiff,
  welchTTest,
} from '@crystallize/stats';

const b = { m: [1, 2, 3, 4, 5] };
const t = { m: [3, 4, 5, 6, 7] };

describe('effect-size verifiers', () => {
  it("cohensD divides the mean difference by the pooled SD and carries Student's p-value", () => {
    const r = cohensD()(b, t);
    expect(r.effect_size).toBeCloseTo(2 / Math.sqrt(2.5), 14);
    expect(r.statistic).toBe(r.effect_size);
    expect(r.p_value).toBeGreaterThan(0);
  });

  it('hedgesG shrinks d by the exact small-sample correction', () => {
    expect(hedgesG()(b, t).effect_size).toBeCloseTo(
      cohensD()(b, t).effect_size * hedgesCorrection(8),
      14,
    );
    // The common approximation 1 - 3/(4 df - 1) is within 1e-3 of the exact value from df = 8 on.
    expect(Math.abs(hedgesCorrection(8) - (1 - 3 / (4 * 8 - 1)))).toBeLessThan(1e-3);
    expect(hedgesCorrection(4)).toBeCloseTo(1 / (Math.SQRT2 * (Math.sqrt(Math.PI) / 2)), 14);
    expect(hedgesCorrection(1000)).toBeCloseTo(1 - 3 / (4 * 1000 - 1), 6);
  });

  it('cliffsDelta counts how often treatment beats baseline, minus the reverse', () => {
    expect(cliffsDelta()(b, t).effect_size).toBeCloseTo((19 - 3) / 25, 15);
    expect(cliffsDelta()({ m: [1, 2] }, { m: [3, 4] }).effect_size).toBe(1);
  });

  it('meanDiff reports the raw difference with the Welch interval', () => {
    const r = meanDiff()(b, t);
    const w = welchTTest()(b, t);
    expect(r.statistic).toBe(2);
    expect([r.ci_low, r.ci_high]).toEqual([w.ci_low, w.ci_high]);
    expect(r.significant).toBe(r.ci_low > 0 || r.ci_high < 0);
  });
});
