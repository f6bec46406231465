import { writeFileSync } from 'node:fs';
import {
  adjustPValues,
  computeCohensD,
  computeHedgesG,
  computeMannWhitneyUTest,
  computePairedTTest,
  computePermutationTest,
  computeStudentTTest,
  computeWelchTTest,
  type Alternative,
} from '@crystallize/stats';
import { ErrorLedger, loadFixture, REL_TOL } from './scipy-fixtures.js';

type Pv = { statistic: number; p_value: number };
type ByAlt = Record<Alternative, Pv>;
interface TBlock extends ByAlt {
  df: number;
  mean_diff: number;
  ci95: [number, number];
}
interface TwoSample {
  name: string;
  baseline: number[];
  treatment: number[];
  welch: TBlock;
  student: TBlock;
  mann_whitney: Partial<Record<'auto' | 'exact' | 'asymptotic', ByAlt>> & { auto_method: string };
  effect: { cohens_d: number; hedges_g: number; cliffs_delta: number };
}
interface Paired extends TBlock {
  name: string;
  baseline: number[];
  treatment: number[];
  cohens_dz: number;
}
interface Permutation extends ByAlt {
  name: string;
  baseline: number[];
  treatment: number[];
}
interface Adjustment {
  p_values: number[];
  holm: number[];
  bh: number[];
}

const ALTERNATIVES: readonly Alternative[] = ['two-sided', 'less', 'greater'];
const ledger = new ErrorLedger();
const twoSample = loadFixture<TwoSample>('two-sample.json');
const paired = loadFixture<Paired>('paired.json');
const permutation = loadFixture<Permutation>('permutation.json');
const adjustment = loadFixture<Adjustment>('p-value-adjustment.json');

/** Expects `actual` within REL_TOL of SciPy's `expected`, and records the error. */
function expectClose(quantity: string, actual: number, expected: number, where: string): void {
  const err = ledger.record(quantity, actual, expected, where);
  if (!(err <= REL_TOL)) {
    throw new Error(
      `${quantity} for '${where}': got ${actual}, SciPy ${expected} (rel err ${err})`,
    );
  }
}

afterAll(() => {
  const report = `SciPy ${twoSample.scipy} reference, tolerance ${REL_TOL}\n${ledger.report()}\n`;
  if (process.env.STATS_ACCURACY_REPORT) writeFileSync(process.env.STATS_ACCURACY_REPORT, report);
});

describe('agreement with SciPy (relative error <= 1e-9)', () => {
  it('covers a few hundred cases', () => {
    const total =
      twoSample.cases.length +
      paired.cases.length +
      permutation.cases.length +
      adjustment.cases.length;
    expect(total).toBeGreaterThanOrEqual(200);
  });

  describe.each([
    ['welch', computeWelchTTest],
    ['student', computeStudentTTest],
  ] as const)('%s t-test matches ttest_ind(treatment, baseline)', (key, tTest) => {
    it.each(twoSample.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      for (const alt of ALTERNATIVES) {
        const r = tTest(c.treatment, c.baseline, { alternative: alt });
        expectClose(`${key} statistic`, r.statistic, c[key][alt].statistic, c.name);
        expectClose(`${key} p_value (${alt})`, r.p_value, c[key][alt].p_value, c.name);
      }
      const r = tTest(c.treatment, c.baseline);
      expectClose(`${key} df`, r.df, c[key].df, c.name);
      expectClose(`${key} ci_low`, r.ci_low, c[key].ci95[0], c.name);
      expectClose(`${key} ci_high`, r.ci_high, c[key].ci95[1], c.name);
    });
  });

  it.each(paired.cases.map((c) => [c.name, c] as const))(
    'paired t-test matches ttest_rel(treatment, baseline): %s',
    (_name, c) => {
      for (const alt of ALTERNATIVES) {
        const r = computePairedTTest(c.treatment, c.baseline, { alternative: alt });
        expectClose('paired statistic', r.statistic, c[alt].statistic, c.name);
        expectClose(`paired p_value (${alt})`, r.p_value, c[alt].p_value, c.name);
      }
      const r = computePairedTTest(c.treatment, c.baseline);
      expectClose('paired ci_low', r.ci_low, c.ci95[0], c.name);
      expectClose('paired ci_high', r.ci_high, c.ci95[1], c.name);
      expectClose('paired cohens_dz', r.effect_size, c.cohens_dz, c.name);
    },
  );

  it.each(twoSample.cases.map((c) => [c.name, c] as const))(
    'Mann-Whitney U matches mannwhitneyu(treatment, baseline): %s',
    (_name, c) => {
      for (const method of ['auto', 'exact', 'asymptotic'] as const) {
        const ref = c.mann_whitney[method];
        if (!ref) continue;
        for (const alt of ALTERNATIVES) {
          const r = computeMannWhitneyUTest(c.treatment, c.baseline, { alternative: alt, method });
          expectClose('mwu statistic', r.statistic, ref[alt].statistic, c.name);
          expectClose(`mwu p_value (${method})`, r.p_value, ref[alt].p_value, c.name);
          if (method === 'auto') expect(r.method).toBe(c.mann_whitney.auto_method);
        }
      }
    },
  );

  it.each(twoSample.cases.map((c) => [c.name, c] as const))(
    'effect sizes match the reference formulas: %s',
    (_name, c) => {
      expectClose(
        'cohens_d',
        computeCohensD(c.treatment, c.baseline).effect_size,
        c.effect.cohens_d,
        c.name,
      );
      expectClose(
        'hedges_g',
        computeHedgesG(c.treatment, c.baseline).effect_size,
        c.effect.hedges_g,
        c.name,
      );
      const delta = computeMannWhitneyUTest(c.treatment, c.baseline).effect_size;
      expectClose('cliffs_delta', delta, c.effect.cliffs_delta, c.name);
    },
  );

  it.each(permutation.cases.map((c) => [c.name, c] as const))(
    'exact permutation test matches permutation_test(n_resamples=inf): %s',
    (_name, c) => {
      for (const alt of ALTERNATIVES) {
        const r = computePermutationTest(c.treatment, c.baseline, { alternative: alt });
        expect(r.method).toBe('exact');
        expectClose('permutation statistic', r.statistic, c[alt].statistic, c.name);
        expectClose(`permutation p_value (${alt})`, r.p_value, c[alt].p_value, c.name);
      }
    },
  );

  it.each(adjustment.cases.map((c, i) => [i, c] as const))(
    'Holm and BH match statsmodels multipletests, vector %d',
    (i, c) => {
      adjustPValues(c.p_values, 'holm').forEach((p, j) =>
        expectClose('holm', p, c.holm[j] as number, `vector ${i}`),
      );
      adjustPValues(c.p_values, 'bh').forEach((p, j) =>
        expectClose('bh', p, c.bh[j] as number, `vector ${i}`),
      );
    },
  );
});
