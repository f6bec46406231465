import {
  replicatesForPower,
  POWER_METHOD_PAIRED,
  POWER_METHOD_TWO_SAMPLE,
} from '../analysis/power.js';
import { testLeaves, type TestLeaf } from '../analysis/test-leaves.js';
import type { HypothesisData } from '../input/run-data.js';
import { forestPlot, type ForestRow } from '../plots/forest-plot.js';
import { renderSvg } from '../plots/render-svg.js';
import { esc, int, numCell, slug } from './markup.js';
import type { ReportRun } from './report-run.js';

const EFFECT_NAMES: Record<string, string> = {
  cohens_d: "Cohen's d",
  hedges_g: "Hedges' g",
  cohens_dz: "Cohen's d_z (paired)",
  cliffs_delta: "Cliff's delta",
  mean_diff: 'mean difference',
  statistic: 'statistic',
};

interface Row {
  readonly run: ReportRun;
  readonly treatment: string;
  readonly leaf: TestLeaf;
  readonly rank: number | undefined;
  readonly score: number | undefined;
}

/**
 * Per hypothesis: a table (treatment, statistic, p, adjusted p, effect size with CI, significant,
 * rank, and the replicates for 80% power as an estimate) and a forest plot of the effects.
 */
export async function hypothesesSection(runs: readonly ReportRun[]): Promise<string> {
  const names = [...new Set(runs.flatMap((r) => r.data.hypotheses.map((h) => h.name)))];
  if (names.length === 0) {
    return `<section id="hypotheses"><h2>Hypotheses</h2><p class="muted">No hypotheses were tested.</p></section>`;
  }
  const parts: string[] = [];
  for (const name of names) {
    const rows: Row[] = [];
    const failures: string[] = [];
    for (const run of runs) {
      const h = run.data.hypotheses.find((x) => x.name === name);
      if (!h) continue;
      rows.push(...hypothesisRows(run, h));
      for (const [t, msg] of Object.entries(h.errors)) {
        failures.push(
          `<li><b>${esc(t)}</b>${run.label ? ` (${esc(run.label)})` : ''}: <span class="err">${esc(msg)}</span></li>`,
        );
      }
    }
    parts.push(await hypothesisBlock(name, rows, failures, runs.length > 1));
  }
  return `<section id="hypotheses"><h2>Hypotheses</h2>${parts.join('\n')}</section>`;
}

function hypothesisRows(run: ReportRun, h: HypothesisData): Row[] {
  const rankOf = new Map(h.ranking.ranked.map(([t, score], i) => [t, { rank: i + 1, score }]));
  return Object.entries(h.results).flatMap(([treatment, output]) =>
    testLeaves(output).map((leaf) => ({
      run,
      treatment,
      leaf,
      rank: rankOf.get(treatment)?.rank,
      score: rankOf.get(treatment)?.score,
    })),
  );
}

async function hypothesisBlock(
  name: string,
  rows: readonly Row[],
  failures: readonly string[],
  compare: boolean,
): Promise<string> {
  const effectNames = [
    ...new Set(rows.map((r) => r.leaf.effectName).filter((n): n is string => !!n)),
  ];
  const effectTitle =
    effectNames.length === 1
      ? (EFFECT_NAMES[effectNames[0] as string] ?? (effectNames[0] as string))
      : 'effect size';
  const table = `<table class="hypothesis-table" data-hypothesis="${esc(name)}"><tr>${compare ? '<th>run</th>' : ''}<th>treatment</th><th>test</th><th>statistic</th><th>p</th><th>adjusted p</th><th>effect size</th><th>effect CI low</th><th>effect CI high</th><th>significant</th><th>rank</th><th class="estimate">replicates for 80% power (estimate)</th></tr>${rows
    .map((r) => {
      const power = replicatesForPower(r.leaf);
      const sig = r.leaf.significant;
      return `<tr data-hypothesis="${esc(name)}" data-treatment="${esc(r.treatment)}" data-test="${esc(r.leaf.label)}"${compare ? ` data-run="${esc(r.run.label)}"` : ''}>${compare ? `<td>${esc(r.run.label)}</td>` : ''}<td>${esc(r.treatment)}</td><td>${esc([r.leaf.label, r.leaf.test].filter(Boolean).join(' · ') || '—')}</td>${numCell(r.leaf.statistic)}${numCell(r.leaf.pValue)}${numCell(r.leaf.pValueAdjusted)}${numCell(r.leaf.effect, r.leaf.effectName ? ` <span class="muted">${esc(EFFECT_NAMES[r.leaf.effectName] ?? r.leaf.effectName)}</span>` : '')}${numCell(r.leaf.ciLow)}${numCell(r.leaf.ciHigh)}<td class="${sig ? 'yes' : 'no'}" data-value="${sig === undefined ? '' : String(sig)}">${sig === undefined ? '—' : sig ? 'yes' : 'no'}</td>${numCell(r.rank)}${
        power.replicates === undefined
          ? `<td class="num estimate" title="${esc(power.reason ?? '')}">n/a</td>`
          : `<td class="num estimate" data-value="${power.replicates}" title="${esc(power.method)}">≈ ${int(power.replicates)}</td>`
      }</tr>`;
    })
    .join('')}</table>`;
  const plotted = rows.filter((r) => r.leaf.effect !== undefined);
  let figure = '';
  if (plotted.length > 0) {
    const forest: ForestRow[] = plotted.map((r) => ({
      row: r.leaf.label ? `${r.treatment} · ${r.leaf.label}` : r.treatment,
      series: r.run.label,
      effect: r.leaf.effect as number,
      ciLow: r.leaf.ciLow,
      ciHigh: r.leaf.ciHigh,
      significant: r.leaf.significant,
    }));
    const svg = await renderSvg(
      forestPlot(forest, effectTitle),
      `${name}: ${effectTitle} per treatment with confidence interval`,
    );
    figure = `<figure class="plot forest-plot" data-hypothesis="${esc(name)}" data-effects="${forest.length}" data-intervals="${forest.filter((f) => f.ciLow !== undefined && f.ciHigh !== undefined).length}">${svg}
<figcaption>Effect of each treatment against the baseline with its confidence interval; the dashed line is no effect.</figcaption></figure>`;
  }
  const approx = rows.some((r) => r.leaf.ciSource === 'normal approximation');
  const methods = new Set(
    rows
      .map((r) => replicatesForPower(r.leaf))
      .filter((p) => p.replicates !== undefined)
      .map((p) => p.method),
  );
  const notes = [
    approx
      ? "Intervals of Cohen's d / Hedges' g were not reported by the verifier; they are 95% normal approximations of the effect size's standard error (Hedges &amp; Olkin 1985). Reported intervals are the verifier's own."
      : '',
    methods.size > 0
      ? `<span class="estimate">Replicates for 80% power are an estimate</span> at the observed effect and the verifier's α: ${[...methods].map((m) => esc(m)).join('; ')}. The observed effect is itself uncertain, so treat the number as a rough guide, not a guarantee.`
      : `<span class="estimate">Replicates for 80% power</span>: not estimated — the tests report no standardized effect size (${esc(POWER_METHOD_TWO_SAMPLE)}; ${esc(POWER_METHOD_PAIRED)}).`,
    "Adjusted p and significance use the hypothesis' multiple-comparison correction when it has one. Rank 1 is the best treatment by the hypothesis' ranker.",
  ].filter(Boolean);
  return `<div class="hypothesis" id="${esc(slug('hypothesis', name))}"><h3>${esc(name)}</h3>
${rows.length > 0 ? table : '<p class="muted">No test results.</p>'}
${figure}
${notes.map((n) => `<p class="note">${n}</p>`).join('\n')}
${failures.length ? `<p>Failed:</p><ul>${failures.join('')}</ul>` : ''}</div>`;
}
