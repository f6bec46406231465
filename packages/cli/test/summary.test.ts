/* The end-of-run summary, from verifier outputs of every shape. */
import { fmt, renderSummary } from '../src/summary/render-summary.js';
import { metricRows, summarizeHypothesis, type RunSummary } from '../src/summary/summary.js';

const test = (p: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  statistic: 2,
  p_value: p,
  significant: p < 0.05,
  alpha: 0.05,
  effect_size: 0.8,
  effect_size_name: 'cohens_d',
  ...extra,
});

describe('summary', () => {
  it('gives mean, sample sd and n per condition for each metric', () => {
    const rows = metricRows({ baseline: { sum: [1, 2, 3] }, double: { sum: [2, 4, 6] } });
    expect(rows['sum']).toEqual([
      { condition: 'baseline', mean: 2, sd: 1, n: 3 },
      { condition: 'double', mean: 4, sd: 2, n: 3 },
    ]);
  });

  it('ranks treatments by the hypothesis ranking and prefers the adjusted significance', () => {
    const h = summarizeHypothesis({
      name: 'h',
      results: {
        a: test(0.04, { p_value_adjusted: 0.08, significant_adjusted: false }),
        b: test(0.001),
      },
      ranking: {
        best: 'b',
        ranked: [
          ['b', 0.001],
          ['a', 0.04],
        ],
      },
      errors: {},
    });
    expect(h.best).toBe('b');
    expect(h.rows.map((r) => [r.treatment, r.rank, r.significant, r.adjustedP])).toEqual([
      ['b', 1, true, undefined],
      ['a', 2, false, 0.08],
    ]);
  });

  it('gives one row per metric for a per-metric output and per group for a list', () => {
    const perMetric = summarizeHypothesis({
      name: 'h',
      results: { a: { sum: test(0.01), count: test(0.2) } },
      ranking: { best: 'a', ranked: [['a', 0.01]] },
      errors: {},
    });
    expect(perMetric.rows.map((r) => r.metric)).toEqual(['sum', 'count']);
    const groups = summarizeHypothesis({
      name: 'h',
      results: { a: [test(0.01), test(0.3)] },
      ranking: { best: 'a', ranked: [['a', 0.01]] },
      errors: {},
    });
    expect(groups.rows.map((r) => r.metric)).toEqual(['group 0', 'group 1']);
  });

  it('formats small p-values in exponent form and renders markdown tables', () => {
    expect(fmt(0.000566)).toBe('5.66e-4');
    expect(fmt(12.3456)).toBe('12.35');
    const s: RunSummary = {
      experiment: 'x',
      dir: undefined,
      version: 2,
      conditions: ['baseline'],
      metrics: { sum: [{ condition: 'baseline', mean: 1, sd: NaN, n: 1 }] },
      hypotheses: [],
      errors: { baseline_rep_0: 'boom' },
      reused: ['baseline'],
      cache: { hits: 1, calls: 2 },
      artifacts: {},
    };
    const md = renderSummary(s, 'md');
    expect(md).toContain('## x v2');
    expect(md).toContain('| baseline | 1 | NaN | 1 |');
    expect(md).toContain('- reused from the stored run: baseline');
    expect(md).toContain('- baseline_rep_0: boom');
  });
});
