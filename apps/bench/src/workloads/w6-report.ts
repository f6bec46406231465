/**
 * W6: the report of W1 at R = 10,000 replicates and 3 conditions (baseline + 2 treatments, a
 * Welch hypothesis): HTML size (target ≤ 5 MB), time to build it, and — when Debian's chromium
 * is installed — the time Chromium takes to load and render it from file:// (target < 2 s).
 * The plain baseline is the same metrics written as JSON (size and time).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '@crystallize/report';
import { hypothesis, treatment, welchTTest } from 'crystallize';
import { line, measure, summarise, type BenchContext, type Workload } from '../harness.js';
import { w1Experiment } from './w1-steps.js';

const CHROMIUM = process.env['CRYSTALLIZE_CHROMIUM'] ?? '/usr/bin/chromium';

async function browserRenderMs(file: string, runs: number): Promise<number[] | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const samples: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      // Navigation start to the end of load, then one frame: parsed, laid out and painted.
      const ms = Number(
        await page.evaluate(
          'new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))',
        ),
      );
      await page.close();
      if (i > 0) samples.push(ms); // the first page warms the browser process
    }
    return samples;
  } finally {
    await browser.close();
  }
}

export const w6Report: Workload = {
  id: 'W6',
  tier: 'warm',
  description:
    'report of W1 at R = 10k x 3 conditions: HTML size, build time, Chromium render time',
  async run(ctx: BenchContext): Promise<void> {
    const replicates = ctx.quick ? 200 : 10_000;
    const root = mkdtempSync(join(tmpdir(), 'cz-bench-w6-'));
    try {
      const result = await w1Experiment(root).run({
        replicates,
        treatments: [treatment('plus2', { delta: 2 }), treatment('plus3', { delta: 3 })],
        hypotheses: [hypothesis({ name: 'y-grows', verifier: welchTTest(), metrics: 'y' })],
      });
      let html = '';
      const build = await measure(
        async () => {
          html = await renderReport(result);
        },
        { runs: ctx.runs, warmup: 1 },
      );
      const file = join(root, 'report.html');
      writeFileSync(file, html);
      let json = '';
      const plain = await measure(
        () => {
          json = JSON.stringify(result.metrics);
        },
        { runs: ctx.runs, warmup: 1 },
      );
      const bytes = Buffer.byteLength(html);
      const one = (v: number) => ({ median: v, min: v, max: v, runs: 1 });
      ctx.emit(
        line('W6', 'html_mb', 'MB', one(bytes / 1e6), one(Buffer.byteLength(json) / 1e6), {
          replicates,
          conditions: 3,
          target_mb: 5,
        }),
      );
      ctx.emit(line('W6', 'build_ms', 'ms', build, plain, { replicates, conditions: 3 }));
      const render = await browserRenderMs(file, ctx.quick ? 2 : Math.min(ctx.runs, 7));
      if (render) {
        ctx.emit(
          line('W6', 'chromium_render_ms', 'ms', summarise(render), undefined, {
            replicates,
            conditions: 3,
            target_ms: 2000,
          }),
        );
      } else {
        process.stderr.write(`# W6: no Chromium at ${CHROMIUM}; render time not measured\n`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
