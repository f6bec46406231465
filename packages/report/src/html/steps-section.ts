import { esc, int, numCell } from './markup.js';
import type { ReportRun } from './report-run.js';

/** Per step: calls, cache hits and hit rate, time per call when the run recorded it. */
export function stepsSection(runs: readonly ReportRun[]): string {
  const compare = runs.length > 1;
  const rows = runs.flatMap((run) =>
    run.data.steps.map((s) => {
      const rate = s.calls > 0 ? s.cacheHits / s.calls : undefined;
      const perCall =
        s.timedCalls && s.totalMs !== undefined ? s.totalMs / s.timedCalls : undefined;
      return `<tr data-step="${esc(s.step)}"${compare ? ` data-run="${esc(run.label)}"` : ''}>${compare ? `<td>${esc(run.label)}</td>` : ''}<td>${esc(s.step)}</td><td class="num" data-value="${s.calls}">${int(s.calls)}</td><td class="num" data-value="${s.cacheHits}">${int(s.cacheHits)}</td>${numCell(rate === undefined ? undefined : rate * 100, '%')}${perCall === undefined ? '<td class="muted">not recorded</td>' : numCell(perCall, ' ms')}${s.totalMs === undefined ? '<td class="muted">—</td>' : numCell(s.totalMs, ' ms')}</tr>`;
    }),
  );
  const untimed = runs.some((r) => r.data.steps.some((s) => s.totalMs === undefined));
  return `<section id="steps"><h2>Steps</h2>
${rows.length ? `<table class="steps-table"><tr>${compare ? '<th>run</th>' : ''}<th>step</th><th>calls</th><th>cache hits</th><th>hit rate</th><th>time per call</th><th>total time</th></tr>${rows.join('')}</table>` : '<p class="muted">No step calls were recorded.</p>'}
${untimed ? '<p class="note">The runner records every step call\'s time (cache hits included) under every execution backend; a step without a time comes from a run stored before runs recorded them. Rerun the experiment to fill the column.</p>' : ''}
</section>`;
}
