import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ReportError,
  readStoredHypotheses,
  readStoredRun,
  renderReport,
  writeReport,
} from '../src/index.js';

/** A stored run written by hand: only the files the test names, in the ArtifactPlugin's layout. */
function storedRun(files: Record<string, unknown>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'cz-report-odd-')), 'odd', 'v4');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('runs the report must still show', () => {
  it('reads a run folder without metadata.json or hypotheses.json from its condition folders', () => {
    const dir = storedRun({
      'baseline/results.json': { metrics: { m: [1, 2] }, seeds: [1, 2], replicates: 2 },
      'zeta/results.json': { metrics: { m: [3, 4] }, seeds: [1, 2], replicates: 2 },
      'alpha/results.json': { metrics: { m: [5, 6] }, seeds: [1, 2], replicates: 2 },
    });
    const run = readStoredRun(dir);
    expect(run).toMatchObject({ experiment: 'odd', version: 4, replicates: 2, hypotheses: [] });
    expect(run.conditions).toEqual(['baseline', 'alpha', 'zeta']);
  });

  it('escapes names and messages: a metric, condition or error cannot inject markup', async () => {
    const evil = '<img src=x onerror="alert(1)">';
    const dir = storedRun({
      'metadata.json': { experiment: evil, conditions: ['baseline', evil], replicates: 2 },
      'baseline/results.json': { metrics: { [evil]: [1, 2] }, seeds: [1, 2] },
      [`${evil.replace(/[/]/g, '_')}/results.json`]: {},
    });
    const html = await renderReport(dir);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  });

  it('shows a single replicate, non-numeric values, a failed verifier and an unplottable output without failing', async () => {
    const dir = storedRun({
      'metadata.json': { experiment: 'odd', conditions: ['baseline', 't'], replicates: 1 },
      'baseline/results.json': { metrics: { score: [0.5], label: ['a'] }, seeds: [7] },
      't/results.json': {
        metrics: { score: [0.7], label: ['b'] },
        seeds: [7],
        errors: { t_rep_0: { name: 'Error', message: 'no step here' } },
      },
      'hypotheses.json': [
        {
          name: 'h1',
          results: {},
          ranking: { ranked: [] },
          errors: { t: 'Verifier welchTTest failed: too few values' },
        },
        {
          name: 'h2',
          results: { t: { custom: 'not a test' } },
          ranking: { ranked: [] },
          errors: {},
        },
      ],
    });
    const html = await renderReport(dir);
    expect(html.match(/<figure class="plot metric-plot"/g)).toHaveLength(1); // score only
    expect(html).toContain('Not numeric: no plot.');
    expect(html).toContain('(+1 not finite numbers)');
    expect(html).toContain('Verifier welchTTest failed: too few values');
    expect(html).toMatch(/<h3>h2<\/h3>\s*<p class="muted">No test results\.<\/p>/);
    expect(html).toMatch(/<tr class="error-row" data-condition="t" data-step="">.*no step here/);
  });

  it('reads the tagged values of stored JSON: NaN, Infinity and -0 come back as numbers', async () => {
    const t = {
      p_value: 0.01,
      statistic: { $cz: '-0' },
      effect_size: 0.8,
      effect_size_name: 'mean_diff',
      ci_low: 0.2,
      ci_high: { $cz: 'Infinity' },
    };
    const dir = storedRun({
      'metadata.json': {
        experiment: 'odd',
        conditions: ['baseline', 't'],
        replicates: 3,
        ok: true,
      },
      'baseline/results.json': { metrics: { x: [1, { $cz: 'NaN' }, 3] } },
      't/results.json': { metrics: { x: [2, 3, 4] } },
      'hypotheses.json': [
        { name: 'h', results: { t }, ranking: { ranked: [['t', 0.01]] }, errors: {} },
      ],
    });
    const run = readStoredRun(dir);
    expect(run.metrics['baseline']?.['x']).toEqual([1, NaN, 3]);
    expect(run.ok).toBe(true);
    const html = await renderReport(dir);
    expect(html).toContain('(+1 not finite numbers)');
    expect(html).toContain('<td class="num" data-value="Infinity">∞</td>');
    expect(html).toContain('<td class="num" data-value="0">0</td>'); // -0 shown as 0
    expect(html).toContain('<span class="yes">ok</span>');
  });

  it('draws one-sided intervals to the edge of the forest plot instead of failing on infinity', async () => {
    const t = {
      p_value: 0.01,
      statistic: 2.5,
      effect_size: 0.8,
      effect_size_name: 'mean_diff',
      ci_low: 0.2,
      ci_high: null,
    };
    const dir = storedRun({
      'metadata.json': { experiment: 'odd', conditions: ['baseline', 't'], replicates: 3 },
      'baseline/results.json': { metrics: { x: [1, 2, 3] } },
      't/results.json': { metrics: { x: [2, 3, 4] } },
      // Plain JSON has no Infinity: an older stored one-sided bound is null.
      'hypotheses.json': [
        { name: 'h', results: { t }, ranking: { ranked: [['t', 0.01]] }, errors: {} },
      ],
    });
    const html = await renderReport(dir);
    expect(html).toMatch(/data-effects="1" data-intervals="1"/);
    expect(html).toContain('<td class="num" data-value="Infinity">∞</td>');
    expect(html).toMatch(/aria-label="t: mean difference 0\.8, CI 0\.2 to ∞"/);
  });

  it("reads a run's stored hypotheses.json decoded, undefined without the file, and refuses a damaged one", () => {
    const without = storedRun({ 'baseline/results.json': { metrics: { x: [1] } } });
    expect(readStoredHypotheses(without)).toBeUndefined();
    const t = { p_value: { $cz: 'NaN' }, statistic: 1.5 };
    const dir = storedRun({
      'baseline/results.json': { metrics: { x: [1] } },
      'hypotheses.json': [
        { name: 'h', results: { t }, ranking: { best: 't', ranked: [['t', 0.2]] }, errors: {} },
      ],
    });
    expect(readStoredHypotheses(dir)).toEqual([
      {
        name: 'h',
        results: { t: { p_value: NaN, statistic: 1.5 } },
        ranking: { best: 't', ranked: [['t', 0.2]] },
        errors: {},
      },
    ]);
    const damaged = storedRun({
      'baseline/results.json': { metrics: { x: [1] } },
      'hypotheses.json': { name: 'h' },
    });
    expect(() => readStoredHypotheses(damaged)).toThrow(ReportError);
    expect(() => readStoredHypotheses(damaged)).toThrow(/is not a list of hypotheses/);
  });

  it('turns a file that cannot be written into a ReportError naming the path', async () => {
    const dir = storedRun({ 'baseline/results.json': { metrics: { x: [1, 2] } } });
    const file = join(dir, 'baseline', 'results.json', 'report.html'); // under a file
    await expect(writeReport(dir, { file })).rejects.toThrow(ReportError);
    await expect(writeReport(dir, { file })).rejects.toThrow(`cannot write ${file}`);
  });
});
