import { hypothesis, ValidationError } from '@crystallize/core';
import { adjustPValues, pValueAdjustment, welchTTest } from '@crystallize/stats';

describe('adjustPValues', () => {
  it("adjusts with Holm's step-down method", () => {
    expect(adjustPValues([0.01, 0.04, 0.03], 'holm')).toEqual([0.03, 0.06, 0.06]);
  });

  it('adjusts with the Benjamini–Hochberg step-up method', () => {
    const out = adjustPValues([0.01, 0.04, 0.03, 0.5], 'bh');
    expect(out[0]).toBeCloseTo(0.04, 15);
    expect(out[1]).toBeCloseTo(0.0533333333333333, 15);
    expect(out[2]).toBeCloseTo(0.0533333333333333, 15);
    expect(out[3]).toBeCloseTo(0.5, 15);
  });

  it('keeps record keys and leaves NaN out of the family', () => {
    expect(adjustPValues({ a: 0.01, b: NaN, c: 0.02 }, 'holm')).toEqual({
      a: 0.02,
      b: NaN,
      c: 0.02,
    });
  });

  it('rejects p-values outside [0, 1] and unknown methods', () => {
    expect(() => adjustPValues([0.2, 1.5], 'holm')).toThrow(/position 1 is 1.5/);
    expect(() => adjustPValues([0.2], 'bonferroni' as never)).toThrow(ValidationError);
    expect(() => pValueAdjustment('hommel' as never)).toThrow(/use 'holm' or 'bh'/);
  });
});

describe('a hypothesis over several treatments with Holm', () => {
  const baseline = { sum: [9.0, 9.4, 8.8, 9.1, 9.2] };
  const treatments = {
    double: { sum: [10.1, 10.4, 9.9, 10.6, 10.2] },
    noisy: { sum: [8.1, 10.9, 9.5, 7.9, 10.8] },
    slight: { sum: [9.3, 9.5, 9.0, 9.6, 9.4] },
  };

  it('reports raw and adjusted p-values side by side, with the method named', () => {
    const h = hypothesis(
      { verifier: welchTTest(), metrics: 'sum', adjust: pValueAdjustment('holm') },
      (r) => r.p_value,
    );
    const raw = Object.fromEntries(
      Object.entries(treatments).map(([name, t]) => [name, h.verify(baseline, t)]),
    );
    const adjusted = h.adjust(raw);
    const expected = adjustPValues(
      Object.fromEntries(Object.entries(raw).map(([k, r]) => [k, r.p_value])),
      'holm',
    );
    for (const name of Object.keys(treatments)) {
      const r = adjusted[name] as (typeof adjusted)[string] & {
        p_value_adjusted: number;
        adjustment: string;
        significant_adjusted: boolean;
      };
      expect(r.p_value).toBe(raw[name]!.p_value);
      expect(r.p_value_adjusted).toBe(expected[name]);
      expect(r.adjustment).toBe('holm');
      expect(r.significant_adjusted).toBe(r.p_value_adjusted < 0.05);
    }
    expect(h.rankTreatments(adjusted).best).toBe('double');
  });

  it('adjusts every metric of a several-metric group as part of one family', () => {
    const h = hypothesis({
      verifier: welchTTest(),
      metrics: ['a', 'b'],
      adjust: pValueAdjustment('bh'),
    });
    const base = { a: [1, 2, 3, 4], b: [5, 6, 7, 8] };
    const out = h.adjust({
      x: h.verify(base, { a: [2, 3, 4, 5], b: [5, 6, 7, 9] }),
      y: h.verify(base, { a: [4, 5, 6, 7], b: [9, 9.5, 10, 11] }),
    }) as unknown as Record<string, Record<string, { p_value: number; p_value_adjusted: number }>>;
    const ps = ['x', 'y'].flatMap((t) => ['a', 'b'].map((m) => out[t]![m]!.p_value));
    const adj = ['x', 'y'].flatMap((t) => ['a', 'b'].map((m) => out[t]![m]!.p_value_adjusted));
    expect(adj).toEqual(adjustPValues(ps, 'bh'));
  });

  it('leaves results untouched when the hypothesis has no adjustment', () => {
    const h = hypothesis({ verifier: welchTTest(), metrics: 'sum' });
    const results = { double: h.verify(baseline, treatments.double) };
    expect(h.adjust(results)).toBe(results);
  });
});
