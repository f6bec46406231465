import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { summarize, testLeaves, writeReport } from '../src/index.js';
import { launchChromium, testOutputDir } from './browser.js';
import { storedDoseRuns, type StoredDoseRuns } from './fixtures/stored-run.js';

/*
 * The report in a real browser (Debian's chromium through playwright-core), opened from file://
 * exactly as a reader opens a file someone sent them.
 */

let runs: StoredDoseRuns;
let browser: Browser;
let reportFile: string;
let compareFile: string;
const out = testOutputDir();

beforeAll(async () => {
  browser = await launchChromium();
  runs = await storedDoseRuns();
  reportFile = await writeReport(runs.experimentDir, { file: join(out, 'dose-response.html') });
  compareFile = await writeReport(join(runs.experimentDir, 'v1'), {
    file: join(out, 'dose-response-compare.html'),
    compare: join(runs.experimentDir, 'v0'),
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

interface Opened {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly requests: string[];
}

async function open(file: string, javaScriptEnabled = true): Promise<Opened> {
  const context = await browser.newContext({
    javaScriptEnabled,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  return { page, consoleErrors, requests };
}

const stored = (condition: string) =>
  JSON.parse(readFileSync(join(runs.experimentDir, 'v1', condition, 'results.json'), 'utf8')) as {
    metrics: Record<string, number[]>;
  };

describe('the report in Chromium', () => {
  it('opens from file:// with no console error and no request but the page itself', async () => {
    const { page, consoleErrors, requests } = await open(reportFile);
    expect(await page.title()).toBe('Experiment report: dose-response');
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([`file://${reportFile}`]);
    await page.screenshot({ path: join(out, 'dose-response.png'), fullPage: true });
    if (process.env['CRYSTALLIZE_UPDATE_SCREENSHOT']) {
      // The README's picture: `CRYSTALLIZE_UPDATE_SCREENSHOT=1` refreshes docs/report-screenshot.png.
      copyFileSync(
        join(out, 'dose-response.png'),
        join(process.cwd(), 'docs', 'report-screenshot.png'),
      );
    }
    await page.context().close();
  });

  it('draws every replicate of every condition as a point, and one mean and one interval per condition', async () => {
    const { page } = await open(reportFile);
    for (const metric of ['response', 'spread']) {
      const figure = page.locator(`figure.metric-plot[data-metric="${metric}"]`);
      await expect(figure.locator('svg').count()).resolves.toBe(1);
      for (const condition of ['baseline', 'low', 'high']) {
        const n = stored(condition).metrics[metric]?.length;
        expect(n).toBeGreaterThan(0);
        const points = figure.locator(`g.points_marks path[aria-label^="${condition}: "]`);
        await expect(points.count()).resolves.toBe(n);
        await expect(
          figure.locator(`g.means_marks path[aria-label^="${condition}: mean"]`).count(),
        ).resolves.toBe(1);
        await expect(
          figure.locator(`g.cis_marks [aria-label^="${condition}: mean"]`).count(),
        ).resolves.toBe(1);
      }
      // Drawn, not just present: the plot has a size on screen.
      const box = await figure.locator('svg').boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(150);
    }
    await page.context().close();
  });

  it('draws one effect and one interval per treatment and test in each forest plot, against zero', async () => {
    const { page } = await open(reportFile);
    const expected = { 'dose-helps': 2, 'effect-on-both': 4 }; // 2 treatments; x 2 metrics
    for (const [name, n] of Object.entries(expected)) {
      const figure = page.locator(`figure.forest-plot[data-hypothesis="${name}"]`);
      await expect(figure.locator('g.effects_marks path').count()).resolves.toBe(n);
      await expect(figure.locator('g.effect_cis_marks line').count()).resolves.toBe(n);
      await expect(figure.locator('g.zero_marks line').count()).resolves.toBe(1);
    }
    await page.context().close();
  });

  it('shows in its tables the numbers stored in results.json and hypotheses.json', async () => {
    const { page } = await open(reportFile);
    const hypotheses = JSON.parse(
      readFileSync(join(runs.experimentDir, 'v1', 'hypotheses.json'), 'utf8'),
    ) as {
      name: string;
      results: Record<string, unknown>;
      ranking: { ranked: [string, number][] };
    }[];
    let checked = 0;
    for (const h of hypotheses) {
      for (const [treatment, output] of Object.entries(h.results)) {
        for (const leaf of testLeaves(output)) {
          const row = page.locator(
            `tr[data-hypothesis="${h.name}"][data-treatment="${treatment}"][data-test="${leaf.label}"]`,
          );
          const cells = await row.locator('td').evaluateAll((tds) =>
            tds.map((td) => ({
              value: td.getAttribute('data-value'),
              text: td.textContent ?? '',
            })),
          );
          // treatment, test, statistic, p, adjusted p, effect, CI low, CI high, significant, rank, power
          const raw =
            (output as Record<string, Record<string, number>>)[leaf.label] ??
            (output as Record<string, number>);
          expect(Number(cells[2]!.value)).toBe(raw['statistic']);
          expect(Number(cells[3]!.value)).toBe(raw['p_value']);
          if (raw['p_value_adjusted'] !== undefined)
            expect(Number(cells[4]!.value)).toBe(raw['p_value_adjusted']);
          expect(Number(cells[5]!.value)).toBe(raw['effect_size']);
          expect(Number(cells[9]!.value)).toBe(
            h.ranking.ranked.findIndex(([t]) => t === treatment) + 1,
          );
          // What a reader sees is the stored number, rounded.
          expect(Number(cells[3]!.text.replace('−', '-'))).toBeCloseTo(raw['p_value'] as number, 3);
          expect(cells[10]!.text).toMatch(/^(≈ [\d,]+|n\/a)$/);
          checked++;
        }
      }
    }
    expect(checked).toBe(6);
    for (const condition of ['baseline', 'low', 'high']) {
      const values = stored(condition).metrics['response']!;
      const s = summarize(values);
      const cells = await page
        .locator(`table.metric-table tr[data-metric="response"][data-condition="${condition}"] td`)
        .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')));
      expect(Number(cells[1])).toBe(values.length);
      expect(Number(cells[2])).toBe(s.mean);
      expect(Number(cells[3])).toBe(s.ciLow);
      expect(Number(cells[4])).toBe(s.ciHigh);
    }
    await page.context().close();
  });

  it('is complete with JavaScript disabled: every plot and table is in the page as written', async () => {
    const withJs = await open(reportFile);
    const withoutJs = await open(reportFile, false);
    const census = async (p: Page) => ({
      svgs: await p.locator('svg').count(),
      points: await p.locator('g.points_marks path').count(),
      rows: await p.locator('tr').count(),
      scripts: await p.locator('script').count(),
    });
    // Locators query through the DevTools protocol, which works with page scripts disabled.
    const a = await census(withJs.page);
    const b = await census(withoutJs.page);
    expect(b).toEqual(a);
    expect(b.svgs).toBe(4);
    expect(b.scripts).toBe(0);
    await withoutJs.page.screenshot({ path: join(out, 'dose-response-no-js.png'), fullPage: true });
    await withJs.page.context().close();
    await withoutJs.page.context().close();
  });

  it('prints: the navigation is hidden and the page becomes a PDF', async () => {
    const { page } = await open(reportFile);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav').isVisible()).toBe(false);
    const pdf = await page.pdf({ path: join(out, 'dose-response.pdf'), format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.context().close();
  });

  it('fails with the install command when Chromium is missing, never skips', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /need Chromium at \/nonexistent\/chromium.*apt-get update && apt-get install -y chromium/,
    );
  });

  it('compares two stored versions side by side with no request and both runs in every plot', async () => {
    const { page, consoleErrors, requests } = await open(compareFile);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([`file://${compareFile}`]);
    const figure = page.locator('figure.metric-plot[data-metric="response"]');
    for (const v of ['v0', 'v1']) {
      const n = stored('baseline').metrics['response']!.length;
      await expect(
        figure.locator(`g.points_marks path[aria-label^="baseline · ${v}: "]`).count(),
      ).resolves.toBe(n);
    }
    const forest = page.locator('figure.forest-plot[data-hypothesis="dose-helps"]');
    await expect(forest.locator('g.effects_marks path').count()).resolves.toBe(4); // 2 treatments x 2 runs
    await page.screenshot({ path: join(out, 'dose-response-compare.png'), fullPage: true });
    await page.context().close();
  });
});
