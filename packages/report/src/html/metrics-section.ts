import { numericValues, summarize } from '../analysis/metric-summary.js';
import { metricPlot, type MetricColumn } from '../plots/metric-plot.js';
import { renderSvg } from '../plots/render-svg.js';
import { esc, int, numCell, slug } from './markup.js';
import type { ReportRun } from './report-run.js';

/** Metric names over all runs and conditions, in first-seen order. */
export function metricNames(runs: readonly ReportRun[]): string[] {
  const names = new Set<string>();
  for (const r of runs) {
    for (const c of r.data.conditions)
      for (const m of Object.keys(r.data.metrics[c] ?? {})) names.add(m);
  }
  return [...names];
}

/**
 * Per metric: every condition's replicate values as points with mean and 95% CI (one column per
 * condition, and per run in a comparison), then the same numbers as a table.
 */
export async function metricsSection(
  runs: readonly ReportRun[],
  maxPoints: number,
): Promise<string> {
  const names = metricNames(runs);
  if (names.length === 0) {
    return `<section id="metrics"><h2>Metrics</h2><p class="muted">No metrics were recorded.</p></section>`;
  }
  const conditions = [...new Set(runs.flatMap((r) => r.data.conditions))];
  const parts: string[] = [];
  for (const metric of names) {
    const columns: (MetricColumn & { run: ReportRun; condition: string })[] = [];
    for (const condition of conditions) {
      for (const run of runs) {
        const values = run.data.metrics[condition]?.[metric];
        if (!values) continue;
        const category = run.label ? `${condition} · ${run.label}` : condition;
        columns.push({ category, series: run.label, values, run, condition });
      }
    }
    const numeric = columns.some((c) => numericValues(c.values).length > 0);
    let figure = '';
    let note = '';
    if (numeric) {
      const plot = metricPlot(metric, columns, maxPoints);
      const svg = await renderSvg(
        plot.spec,
        `${metric}: values per condition with mean and 95% CI`,
      );
      const expected = Object.fromEntries(plot.pointsDrawn);
      figure = `<figure class="plot metric-plot" data-metric="${esc(metric)}" data-points="${esc(JSON.stringify(expected))}">${svg}
<figcaption>Each dot is one replicate; the black diamond is the mean and the bar its 95% confidence interval (t distribution).</figcaption></figure>`;
      if (plot.thinned.length > 0) {
        note = `<p class="note">${esc(plot.thinned.join(', '))}: more than ${int(maxPoints)} replicates, so the plot draws ${int(maxPoints)} evenly spaced quantiles of the values (minimum to maximum) instead of every value; the mean, interval and table use all of them.</p>`;
      }
    } else {
      note = `<p class="note">Not numeric: no plot.</p>`;
    }
    const runCol = runs.length > 1;
    const rows = columns
      .map((c) => {
        const s = summarize(c.values);
        return `<tr data-metric="${esc(metric)}" data-condition="${esc(c.condition)}"${runCol ? ` data-run="${esc(c.run.label)}"` : ''}>
<td>${esc(c.condition)}</td>${runCol ? `<td>${esc(c.run.label)}</td>` : ''}<td class="num" data-value="${s.n}">${int(s.n)}${s.skipped ? ` <span class="muted">(+${int(s.skipped)} not finite numbers)</span>` : ''}</td>${numCell(s.mean)}${numCell(s.ciLow)}${numCell(s.ciHigh)}${numCell(s.sd)}${numCell(s.min)}${numCell(s.max)}</tr>`;
      })
      .join('');
    parts.push(`<div class="metric" id="${esc(slug('metric', metric))}"><h3>${esc(metric)}</h3>
<div class="row">${figure}
<table class="metric-table"><tr><th>condition</th>${runCol ? '<th>run</th>' : ''}<th>n</th><th>mean</th><th>95% CI low</th><th>95% CI high</th><th>sd</th><th>min</th><th>max</th></tr>${rows}</table></div>${note}</div>`);
  }
  return `<section id="metrics"><h2>Metrics</h2>${parts.join('\n')}</section>`;
}
