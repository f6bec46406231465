import { ValidationError } from '@crystallize/core';
import { pairedTTest, studentTTest, welchTTest, type TTestResult } from '@crystallize/stats';

const baseline = { sum: [9.1, 8.7, 9.4, 9.0, 8.8] };
const treatment = { sum: [10.2, 10.9, 9.8, 10.4, 10.6] };

describe('welchTTest', () => {
  it('returns a flat result for a single metric, so (r) => r.p_value ranks it', () => {
    const r = welchTTest()(baseline, treatment);
    expect(r.test).toBe('welch_t_test');
    expect(r.statistic).toBeGreaterThan(0); // treatment minus baseline
    expect(r.p_value).toBeLessThan(0.001);
    expect(r.significant).toBe(true);
    expect(r.alpha).toBe(0.05);
    expect(r.mean_diff).toBeCloseTo(1.38, 12);
    expect(r.ci_low).toBeLessThan(r.mean_diff);
    expect(r.ci_high).toBeGreaterThan(r.mean_diff);
    expect(r.effect_size_name).toBe('cohens_d');
  });

  it('keys results by metric name when the group has several metrics', () => {
    const out = welchTTest()(
      { ...baseline, loss: [1, 2, 3] },
      { ...treatment, loss: [1.5, 2.5, 3.5] },
    ) as unknown as Record<string, TTestResult>;
    expect(Object.keys(out)).toEqual(['sum', 'loss']);
    expect(out.sum!.significant).toBe(true);
    expect(out.loss!.significant).toBe(false);
  });

  it('uses alpha for significance and the confidence level', () => {
    const r = welchTTest({ alpha: 0.2 })({ x: [1, 2, 3, 4] }, { x: [2, 3, 4, 5.5] });
    expect(r.confidence).toBeCloseTo(0.8, 15);
    expect(r.significant).toBe(r.p_value < 0.2);
  });

  it('halves the two-sided p-value for the matching one-sided alternative', () => {
    const two = welchTTest()(baseline, treatment);
    const greater = welchTTest({ alternative: 'greater' })(baseline, treatment);
    const less = welchTTest({ alternative: 'less' })(baseline, treatment);
    expect(greater.p_value).toBeCloseTo(two.p_value / 2, 15);
    expect(less.p_value).toBeCloseTo(1 - two.p_value / 2, 12);
    expect(greater.ci_high).toBe(Infinity);
  });

  it('rejects an unknown parameter and an alpha outside (0, 1)', () => {
    expect(() => welchTTest({ alhpa: 0.1 } as never)).toThrow(/no parameter 'alhpa'/);
    expect(() => welchTTest({ alpha: 5 })(baseline, treatment)).toThrow(ValidationError);
    expect(() => welchTTest({ alternative: 'bigger' as never })(baseline, treatment)).toThrow(
      /'alternative' must be/,
    );
  });
});

describe('zero variance (deterministic metrics)', () => {
  it('reports an infinite statistic and p = 0 when both conditions are constant but differ', () => {
    const r = welchTTest()({ sum: [9, 9, 9] }, { sum: [10, 10, 10] });
    expect(r.statistic).toBe(Infinity);
    expect(r.p_value).toBe(0);
    expect(r.significant).toBe(true);
  });

  it('reports NaN (no evidence either way) when both conditions are the same constant', () => {
    const r = studentTTest()({ sum: [9, 9, 9] }, { sum: [9, 9, 9] });
    expect(r.statistic).toBeNaN();
    expect(r.p_value).toBeNaN();
    expect(r.significant).toBe(false);
  });
});

describe('studentTTest', () => {
  it('pools the variances: df is n1 + n2 - 2', () => {
    const r = studentTTest()({ x: [1, 2, 3] }, { x: [2, 4, 6, 8] });
    expect(r.df).toBe(5);
    expect(r.test).toBe('student_t_test');
  });
});

describe('pairedTTest', () => {
  it('pairs replicates by index and sees a small consistent shift that Welch misses', () => {
    const b = { y: [10, 20, 30, 40, 50] };
    const t = { y: [10.5, 20.4, 30.6, 40.5, 50.5] };
    expect(pairedTTest()(b, t).p_value).toBeLessThan(1e-4);
    expect(welchTTest()(b, t).p_value).toBeGreaterThan(0.9);
    expect(pairedTTest()(b, t).effect_size_name).toBe('cohens_dz');
  });

  it('rejects baseline and treatment of different lengths, naming the metric', () => {
    expect(() => pairedTTest()({ y: [1, 2, 3] }, { y: [1, 2] })).toThrow(
      /metric 'y'.*baseline has 3 values and treatment 2/,
    );
  });
});
