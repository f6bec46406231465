import { esc, int } from './markup.js';
import type { ReportRun } from './report-run.js';

const MAX_GROUPS = 100;
const MAX_REPLICATES_LISTED = 20;

/**
 * Failed replicates with their step and cause. Replicates that failed the same way (condition,
 * step, error) are one row, so a run where every replicate failed stays readable.
 */
export function errorsSection(runs: readonly ReportRun[]): string {
  const compare = runs.length > 1;
  const rows: string[] = [];
  let total = 0;
  let groups = 0;
  for (const run of runs) {
    const byCause = new Map<
      string,
      {
        condition: string;
        step: string | undefined;
        name: string;
        message: string;
        replicates: (number | undefined)[];
      }
    >();
    for (const e of run.data.errors) {
      total++;
      const key = JSON.stringify([e.condition, e.step, e.name, e.message]);
      const g = byCause.get(key) ?? {
        condition: e.condition,
        step: e.step,
        name: e.name,
        message: e.message,
        replicates: [],
      };
      g.replicates.push(e.replicate);
      byCause.set(key, g);
    }
    for (const g of byCause.values()) {
      groups++;
      if (groups > MAX_GROUPS) continue;
      const reps = g.replicates.filter((r): r is number => r !== undefined).sort((a, b) => a - b);
      const listed =
        reps.slice(0, MAX_REPLICATES_LISTED).join(', ') +
        (reps.length > MAX_REPLICATES_LISTED ? ', …' : '');
      rows.push(
        `<tr class="error-row" data-condition="${esc(g.condition)}" data-step="${esc(g.step ?? '')}">${compare ? `<td>${esc(run.label)}</td>` : ''}<td>${esc(g.condition)}</td><td>${esc(g.step ?? '—')}</td><td class="num" data-value="${g.replicates.length}">${int(g.replicates.length)}</td><td class="mono">${esc(listed || '—')}</td><td class="err"><b>${esc(g.name)}</b>: ${esc(g.message)}</td></tr>`,
      );
    }
  }
  const unused = runs.flatMap((run) =>
    run.data.unusedTreatmentKeys.map(
      (u) =>
        `<li>${compare ? `${esc(run.label)}: ` : ''}'${esc(u.key)}' was set by treatment '${esc(u.treatment)}' but no step read it${u.suggestion ? ` — did you mean '${esc(u.suggestion)}'?` : ''}</li>`,
    ),
  );
  const warnings = unused.length
    ? `<h3>Unused treatment keys</h3><ul class="unused-keys">${unused.join('')}</ul>`
    : '';
  if (total === 0) {
    return `<section id="errors"><h2>Errors</h2><p class="muted">No replicate failed.</p>${warnings}</section>`;
  }
  return `<section id="errors"><h2>Errors</h2>${warnings}
<p>${int(total)} failed replicate(s).</p>
<table class="errors-table"><tr>${compare ? '<th>run</th>' : ''}<th>condition</th><th>step</th><th>replicates</th><th>which</th><th>cause</th></tr>${rows.join('')}</table>
${groups > MAX_GROUPS ? `<p class="note">${int(groups - MAX_GROUPS)} more distinct error(s) not shown; see the run's results.json files.</p>` : ''}
</section>`;
}
