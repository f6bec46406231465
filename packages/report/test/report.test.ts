import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ReportError,
  STEP_TIMINGS_FILE,
  readStoredRun,
  renderReport,
  replicatesForPower,
  resolveRunDir,
  summarize,
  testLeaves,
  thinToQuantiles,
  writeReport,
  type TestLeaf,
} from '../src/index.js';
import { REPLICATES } from './fixtures/dose-experiment.js';
import { storedDoseRuns, type StoredDoseRuns } from './fixtures/stored-run.js';

let runs: StoredDoseRuns;
beforeAll(async () => {
  runs = await storedDoseRuns();
}, 60_000);

describe('the report file', () => {
  it('is one self-contained page: no script, no external reference, and a policy that forbids fetching', async () => {
    const html = await renderReport(runs.second);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/i); // only in-page anchors
    expect(html).not.toMatch(/url\((?!#)/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`,
    );
    expect(html).toContain('@media print');
  });

  it('writes the file where asked, creating folders, and returns its absolute path', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cz-report-out-')), 'nested', 'report.html');
    const path = await writeReport(runs.second, { file });
    expect(path).toBe(file);
    expect(readFileSync(file, 'utf8')).toContain('Experiment report: dose-response');
  });

  it('pre-renders every plot as inline SVG: one per metric and one per hypothesis', async () => {
    const html = await renderReport(runs.second);
    expect(html.match(/<figure class="plot metric-plot"/g)).toHaveLength(2); // response, spread
    expect(html.match(/<figure class="plot forest-plot"/g)).toHaveLength(2); // two hypotheses
    expect(html.match(/<svg /g)).toHaveLength(4);
  });

  it('shows the run metadata: experiment, version, replicates, seeds, fingerprints, packages, git commit', async () => {
    const html = await renderReport(runs.second);
    expect(html).toContain('<th scope="row">Version</th><td>v1</td>');
    expect(html).toContain(`<th scope="row">Replicates</th><td>${REPLICATES}</td>`);
    const seeds = runs.second.provenance.seeds['baseline'] as number[];
    expect(html).toContain(seeds.slice(0, 3).join(', '));
    const fp = runs.second.fingerprints['baseline']?.hash as string;
    expect(html).toContain(fp.slice(0, 12));
    expect(html).toMatch(/@crystallize\/orchestrator@\d+\.\d+\.\d+/);
    expect(html).toMatch(/vega-lite@6\.4\.\d+/);
    expect(html).toMatch(/<th scope="row">Git commit<\/th><td><code>[0-9a-f]{40}<\/code>/);
  });

  it('shows the description, the run status and treatment keys no step read', async () => {
    const html = await renderReport(runs.second);
    expect(html).toContain('<td>Does a higher dose raise the response?</td>');
    expect(html).toContain('<span class="err">not ok</span>'); // replicate 3 of high failed
    expect(html).toMatch(/'dose_unit' was set by treatment 'low' but no step read it/);
  });

  it('names the step and cause of a failed replicate', async () => {
    const html = await renderReport(runs.second);
    expect(html).toMatch(
      /<tr class="error-row" data-condition="high" data-step="CheckSensor">.*sensor saturated at replicate 3/,
    );
  });

  it('labels the power column as an estimate and names its method', async () => {
    const html = await renderReport(runs.second);
    expect(html).toContain('replicates for 80% power (estimate)');
    expect(html).toContain('normal approximation for a two-sample t-test');
  });

  it('fails with a ReportError naming the problem for something that is not a run', async () => {
    await expect(renderReport({} as never)).rejects.toThrow(ReportError);
    await expect(renderReport({} as never)).rejects.toThrow(/neither a Result nor a stored run/);
    await expect(renderReport(join(runs.dir, 'nope'))).rejects.toThrow(/is not a folder/);
  });
});

describe('stored runs', () => {
  it('reads a stored version folder into the same metrics, seeds and errors as the Result it came from', () => {
    const stored = readStoredRun(runs.second.dir as string);
    expect(stored.experiment).toBe('dose-response');
    expect(stored.version).toBe(1);
    expect(stored.conditions).toEqual(['baseline', 'low', 'high']);
    for (const c of stored.conditions) {
      expect(stored.metrics[c]).toEqual(runs.second.conditionMetrics(c));
      expect(stored.seeds[c]).toEqual(runs.second.provenance.seeds[c]);
    }
    expect(stored.errors.map((e) => [e.key, e.step])).toEqual([['high_rep_3', 'CheckSensor']]);
    expect(stored.hypotheses.map((h) => h.name)).toEqual(['dose-helps', 'effect-on-both']);
  });

  it('counts step calls and cache hits from provenance.jsonl: the second run hits the cacheable step', () => {
    const first = readStoredRun(runs.first.dir as string);
    const second = readStoredRun(runs.second.dir as string);
    const apply = (r: typeof first) => r.steps.find((s) => s.step === 'ApplyDose');
    // 3 conditions x 8 replicates, one of which failed after ApplyDose ran (no record kept).
    expect(apply(first)).toMatchObject({ calls: 23, cacheHits: 0 });
    expect(apply(second)).toMatchObject({ calls: 23, cacheHits: 23 });
    expect(second.steps.find((s) => s.step === 'Summarise')).toMatchObject({ cacheHits: 0 });
  });

  it('resolves an experiment folder to its newest version, or the version asked for', () => {
    expect(resolveRunDir(runs.experimentDir)).toBe(join(runs.experimentDir, 'v1'));
    expect(resolveRunDir(runs.experimentDir, 0)).toBe(join(runs.experimentDir, 'v0'));
    expect(resolveRunDir(join(runs.experimentDir, 'v1'), 0)).toBe(join(runs.experimentDir, 'v0'));
    expect(() => resolveRunDir(runs.experimentDir, 7)).toThrow(/v7 does not exist/);
    expect(() => resolveRunDir(runs.dir)).toThrow(/holds no stored run/);
  });

  it('reports a damaged results.json as a ReportError naming the file', () => {
    const bad = mkdtempSync(join(tmpdir(), 'cz-report-bad-'));
    const v = join(bad, 'exp', 'v0', 'baseline');
    mkdirSync(v, { recursive: true });
    writeFileSync(join(v, 'results.json'), '{ not json');
    expect(() => readStoredRun(join(bad, 'exp'))).toThrow(/results\.json of the stored run/);
  });
});

describe('step times', () => {
  it('the deprecated StepTimingPlugin still stores calls and time per step in step-timings.json, and the report shows time per call', async () => {
    const file = join(runs.second.dir as string, STEP_TIMINGS_FILE);
    expect(existsSync(file)).toBe(true);
    const timings = JSON.parse(readFileSync(file, 'utf8')) as Record<
      string,
      { calls: number; totalMs: number }
    >;
    expect(Object.keys(timings).sort()).toEqual(['ApplyDose', 'CheckSensor', 'Summarise']);
    expect(timings['Summarise']?.calls).toBe(23);
    expect(timings['ApplyDose']?.totalMs).toBeGreaterThan(0);
    const steps = readStoredRun(runs.second.dir as string).steps;
    expect(steps.find((s) => s.step === 'Summarise')).toMatchObject({ timedCalls: 23 });
    const html = await renderReport(runs.second.dir as string);
    expect(html).toMatch(/<tr data-step="Summarise">.*? ms<\/td>/);
    expect(html).not.toContain('not recorded');
  });

  it("times every step from the Result's own records, without step-timings.json", async () => {
    // The same result without its folder: no step-timings.json to read, only the records.
    const copy = {
      ...runs.second,
      dir: undefined,
      conditionMetrics: runs.second.conditionMetrics.bind(runs.second),
    };
    const html = await renderReport(copy as never);
    for (const step of ['ApplyDose', 'CheckSensor', 'Summarise'])
      expect(html).toMatch(new RegExp(`<tr data-step="${step}">.*? ms</td>`));
    expect(html).not.toContain('not recorded');
  });
});

describe('comparing two runs', () => {
  it('puts two stored versions side by side: a column per run in the metadata, both runs in every plot and table', async () => {
    const html = await renderReport(runs.experimentDir, {
      compare: join(runs.experimentDir, 'v0'),
    });
    expect(html).toContain('<title>Experiment report: dose-response — v1 vs v0</title>');
    expect(html).toContain('<tr><th></th><th>v1</th><th>v0</th></tr>');
    expect(html).toContain('baseline · v0');
    expect(html).toContain('high · v1');
    expect(
      html.match(
        /<tr data-hypothesis="dose-helps" data-treatment="high" data-test="" data-run="v[01]">/g,
      ),
    ).toHaveLength(2);
  });
});

describe('large runs', () => {
  it('keeps 10,000 replicates x 3 conditions under 5 MB by drawing 1,000 quantiles per condition', async () => {
    const values = (shift: number) =>
      Array.from({ length: 10_000 }, (_, i) => shift + Math.sin(i) * 3);
    const metrics = {
      baseline: { metrics: { total: values(0) } },
      treatments: { a: { metrics: { total: values(1) } }, b: { metrics: { total: values(2) } } },
      hypotheses: [],
    };
    const big = {
      ...runs.second,
      conditionMetrics: (c: string) =>
        c === 'baseline' ? metrics.baseline.metrics : metrics.treatments[c as 'a' | 'b']?.metrics,
      dir: undefined,
      errors: {},
      metrics,
      provenance: { ...runs.second.provenance, replicates: 10_000, seeds: {}, ctxChanges: {} },
    };
    const html = await renderReport(big as never);
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
    expect(html).toContain(
      'data-points="{&quot;baseline&quot;:1000,&quot;a&quot;:1000,&quot;b&quot;:1000}"',
    );
    expect(html).toContain(
      'more than 1,000 replicates, so the plot draws 1,000 evenly spaced quantiles',
    );
    // The table still counts and averages every value.
    expect(html).toMatch(
      /<tr data-metric="total" data-condition="a">\s*<td>a<\/td><td class="num" data-value="10000">/,
    );
  });

  it('thins to evenly spaced order statistics that keep the minimum, median and maximum', () => {
    const xs = Array.from({ length: 10_001 }, (_, i) => 10_000 - i);
    const thin = thinToQuantiles(xs, 101);
    expect(thin).toHaveLength(101);
    expect(thin[0]).toBe(0);
    expect(thin[50]).toBe(5000);
    expect(thin[100]).toBe(10_000);
    expect(thinToQuantiles([3, 1, 2], 10)).toEqual([3, 1, 2]);
  });
});

describe('numbers', () => {
  it('gives the mean and its 95% t interval over the numeric values', () => {
    const s = summarize([1, 2, 3, 4, 'x', NaN]);
    expect(s).toMatchObject({ n: 4, skipped: 2, mean: 2.5, min: 1, max: 4 });
    // t(0.975, 3) = 3.182446305284263; sd = 1.2909944487358056
    expect(s.ciHigh - s.mean).toBeCloseTo((3.182446305284263 * 1.2909944487358056) / 2, 12);
  });

  it('estimates replicates for 80% power at the observed d with the normal approximation (d = 0.5: 63 per condition)', () => {
    const leaf = (over: Partial<TestLeaf>): TestLeaf => ({
      ...testLeaves({
        p_value: 0.1,
        effect_size: 0.5,
        effect_size_name: 'cohens_d',
        alpha: 0.05,
        alternative: 'two-sided',
      })[0]!,
      ...over,
    });
    expect(replicatesForPower(leaf({})).replicates).toBe(63); // 2·(1.95996 + 0.84162)² / 0.25 = 62.8
    expect(replicatesForPower(leaf({ effect: -0.5 })).replicates).toBe(63);
    expect(replicatesForPower(leaf({ alternative: 'greater' })).replicates).toBe(50); // z(0.95)
    expect(replicatesForPower(leaf({ effectName: 'cohens_dz' })).replicates).toBe(32);
    expect(replicatesForPower(leaf({ effectName: 'cliffs_delta' }))).toMatchObject({
      replicates: undefined,
      reason: expect.stringContaining('standardized effect'),
    });
    expect(replicatesForPower(leaf({ effect: 0 })).replicates).toBeUndefined();
  });

  it('finds every test in a verifier output: one result, one per metric, or one per metric group', () => {
    const t = (p: number) => ({
      p_value: p,
      statistic: 1,
      effect_size: 0.2,
      effect_size_name: 'cohens_d',
      n_baseline: 10,
      n_treatment: 10,
    });
    expect(testLeaves(t(0.1)).map((l) => l.label)).toEqual(['']);
    expect(testLeaves({ a: t(0.1), b: t(0.2) }).map((l) => l.label)).toEqual(['a', 'b']);
    expect(testLeaves([{ a: t(0.1) }, t(0.3)]).map((l) => l.label)).toEqual([
      'group 1 · a',
      'group 2',
    ]);
    expect(testLeaves(0.5)).toEqual([]);
  });

  it("takes adjusted p and significance from the hypothesis' correction", () => {
    const [leaf] = testLeaves({
      p_value: 0.02,
      p_value_adjusted: 0.06,
      significant: true,
      significant_adjusted: false,
    });
    expect(leaf).toMatchObject({ pValue: 0.02, pValueAdjusted: 0.06, significant: false });
  });

  it("uses a verifier's own interval for a mean difference, and the normal approximation for Cohen's d", () => {
    const [diff] = testLeaves({
      p_value: 0.1,
      effect_size: 1.5,
      effect_size_name: 'mean_diff',
      ci_low: 0.5,
      ci_high: 2.5,
    });
    expect(diff).toMatchObject({ effect: 1.5, ciLow: 0.5, ciHigh: 2.5, ciSource: 'reported' });
    // Welch: ci_low/ci_high belong to the mean difference, so d gets its own (approximate) interval.
    const [d] = testLeaves({
      p_value: 0.1,
      effect_size: 0.5,
      effect_size_name: 'cohens_d',
      ci_low: 10,
      ci_high: 20,
      n_baseline: 20,
      n_treatment: 20,
    });
    const se = Math.sqrt(40 / 400 + 0.25 / 80);
    expect(d?.ciSource).toBe('normal approximation');
    expect(d?.ciLow).toBeCloseTo(0.5 - 1.959963984540054 * se, 12);
    expect(d?.ciHigh).toBeCloseTo(0.5 + 1.959963984540054 * se, 12);
  });
});
