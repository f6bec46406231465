import {
  Hypothesis,
  MissingMetricError,
  ValidationError,
  hypothesis,
  isVerifierFactory,
  verifier,
  type MetricSamples,
} from '@crystallize/core';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A toy verifier: the gap between means of the first metric in the group. */
const meanGap = verifier(
  (baseline: MetricSamples, treatment: MetricSamples, { min }) => {
    const names = Object.keys(baseline);
    const gap = mean(treatment[names[0]!]!) - mean(baseline[names[0]!]!);
    return { metrics: names, gap, significant: gap > min, p_value: 1 / (1 + Math.abs(gap)) };
  },
  { min: 0, tails: 2 },
  { name: 'meanGap' },
);

describe('verifier', () => {
  it('returns a factory that gives a callable verifier with the defaults', () => {
    expect(isVerifierFactory(meanGap)).toBe(true);
    expect(meanGap.verifierName).toBe('meanGap');
    expect(meanGap.defaults).toEqual({ min: 0, tails: 2 });
    const v = meanGap();
    expect(v.params).toEqual({ min: 0, tails: 2 });
    expect(v.verifierName).toBe('meanGap');
    expect(v({ x: [1, 2] }, { x: [3, 4] })).toMatchObject({ gap: 2, significant: true });
  });

  it('applies overrides on top of the defaults', () => {
    const strict = meanGap({ min: 5 });
    expect(strict.params).toEqual({ min: 5, tails: 2 });
    expect(strict({ x: [1, 2] }, { x: [3, 4] })).toMatchObject({ significant: false });
    expect(meanGap().params.min).toBe(0);
  });

  it('rejects an unknown parameter, naming it and the known ones', () => {
    const build = () => meanGap({ alpah: 0.01 } as never);
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(/Verifier 'meanGap' has no parameter 'alpah'.*'min', 'tails'/);
  });

  it('takes its name from the function when none is given', () => {
    function welch() {
      return {};
    }
    expect(verifier(welch).verifierName).toBe('welch');
    expect(() => verifier(welch)({ alpha: 1 } as never)).toThrow(/\(none\)/);
  });
});

describe('hypothesis', () => {
  const baseline = { sum: [1, 1, 1], loss: [5, 5, 5] };
  const treated = { sum: [3, 3, 3], loss: [4, 4, 4] };

  it('selects a single metric by name', () => {
    const h = hypothesis({ verifier: meanGap(), metrics: 'sum' }, (r) => -r.gap);
    expect(h).toBeInstanceOf(Hypothesis);
    expect(h.metricGroups).toEqual([['sum']]);
    expect(h.verify(baseline, treated)).toMatchObject({ metrics: ['sum'], gap: 2 });
  });

  it('treats a list of names as one group', () => {
    const h = hypothesis({ verifier: meanGap(), metrics: ['loss', 'sum'] });
    expect(h.metricGroups).toEqual([['loss', 'sum']]);
    expect(h.verify(baseline, treated)).toMatchObject({ metrics: ['loss', 'sum'], gap: -1 });
  });

  it('runs the verifier once per group for a list of lists and returns a list', () => {
    const h = hypothesis({ verifier: meanGap(), metrics: [['sum'], ['loss']] });
    const out = h.verify(baseline, treated);
    expect(Array.isArray(out)).toBe(true);
    expect(out.map((r) => r.metrics)).toEqual([['sum'], ['loss']]);
    expect(out.map((r) => r.gap)).toEqual([2, -1]);
  });

  it('uses every baseline metric as one group when no metrics are named', () => {
    const h = hypothesis({ verifier: meanGap() });
    expect(h.metricGroups).toBeUndefined();
    expect(h.verify(baseline, treated)).toMatchObject({ metrics: ['sum', 'loss'] });
  });

  it('accepts a verifier factory and calls it with its defaults', () => {
    const h = hypothesis({ verifier: meanGap, metrics: 'sum' });
    expect(h.verifier.params).toEqual({ min: 0, tails: 2 });
  });

  it('names itself after the verifier and metrics unless named', () => {
    expect(hypothesis({ verifier: meanGap(), metrics: [['a', 'b'], ['c']] }).name).toBe(
      'meanGap:a+b,c',
    );
    expect(hypothesis({ verifier: meanGap(), metrics: 'sum', name: 'sum-up' }).name).toBe('sum-up');
  });

  it('throws MissingMetricError naming the metric, the condition and what was recorded', () => {
    const h = hypothesis({ verifier: meanGap(), metrics: 'accuracy', name: 'acc' });
    const run = () => h.verify(baseline, treated);
    expect(run).toThrow(MissingMetricError);
    expect(run).toThrow(
      /Metric 'accuracy' is missing from the baseline metrics of hypothesis 'acc'/,
    );
    expect(run).toThrow(/'sum', 'loss'/);
    try {
      run();
    } catch (e) {
      expect((e as MissingMetricError).metric).toBe('accuracy');
    }
    const onlyTreatment = hypothesis({ verifier: meanGap(), metrics: 'sum' });
    expect(() => onlyTreatment.verify(baseline, { loss: [1] })).toThrow(/treatment metrics/);
  });

  it('rejects empty metric groups and a non-verifier', () => {
    expect(() => hypothesis({ verifier: meanGap(), metrics: [] })).toThrow(ValidationError);
    expect(() => hypothesis({ verifier: meanGap(), metrics: [['a'], []] })).toThrow(
      /non-empty lists/,
    );
    expect(() => hypothesis({ verifier: 'welch' as never })).toThrow(/must be a verifier/);
  });

  it('ranks treatments by the ranker score, lowest first', () => {
    const h = hypothesis({ verifier: meanGap(), metrics: 'sum' }, (r) => -r.gap);
    const results = {
      small: meanGap()({ sum: [0] }, { sum: [1] }),
      big: meanGap()({ sum: [0] }, { sum: [9] }),
      none: meanGap()({ sum: [0] }, { sum: [0] }),
    };
    expect(h.rankTreatments(results)).toEqual({
      best: 'big',
      ranked: [
        ['big', -9],
        ['small', -1],
        ['none', -0],
      ],
    });
  });

  it('puts NaN scores last and reports no best for no treatments', () => {
    const h = hypothesis({ verifier: meanGap(), metrics: 'sum' }, (r: { gap: number }) => r.gap);
    const ranking = h.rankTreatments({
      nan: { gap: Number.NaN } as never,
      two: { gap: 2 } as never,
      one: { gap: 1 } as never,
    });
    expect(ranking.ranked.map(([n]) => n)).toEqual(['one', 'two', 'nan']);
    expect(h.rankTreatments({})).toEqual({ best: undefined, ranked: [] });
  });

  it('ranks by p_value by default, using the smallest p_value over several groups', () => {
    const byP = hypothesis({ verifier: meanGap(), metrics: 'sum' });
    expect(
      byP.rankTreatments({ a: { p_value: 0.2 } as never, b: { p_value: 0.01 } as never }),
    ).toEqual({
      best: 'b',
      ranked: [
        ['b', 0.01],
        ['a', 0.2],
      ],
    });
    const groups = hypothesis({ verifier: meanGap(), metrics: [['sum'], ['loss']] });
    expect(groups.rank([{ p_value: 0.3 }, { p_value: 0.04 }] as never)).toBe(0.04);
  });

  it('asks for a ranker when the verifier output has no numeric p_value', () => {
    const h = hypothesis({ verifier: meanGap(), metrics: 'sum', name: 'h1' });
    expect(() => h.rankTreatments({ a: { gap: 1 } as never })).toThrow(
      /Hypothesis 'h1' has no ranker.*p_value/,
    );
  });
});
