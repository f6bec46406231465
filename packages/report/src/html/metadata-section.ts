import { esc, int } from './markup.js';
import type { ReportRun } from './report-run.js';

const MAX_SEEDS_SHOWN = 8;

/** Run metadata: what ran, when, with which seeds, code fingerprints, packages and commit. */
export function metadataSection(runs: readonly ReportRun[]): string {
  const rows: [string, (r: ReportRun) => string][] = [
    ['Experiment', (r) => esc(r.data.experiment)],
    ['Description', (r) => esc(r.data.description ?? '—')],
    [
      'Status',
      (r) =>
        r.data.ok === undefined
          ? '—'
          : r.data.ok
            ? '<span class="yes">ok</span>'
            : '<span class="err">not ok</span> <span class="muted">(a replicate failed or a hypothesis could not be tested: see Errors and Hypotheses)</span>',
    ],
    ['Version', (r) => (r.data.version === undefined ? '—' : `v${r.data.version}`)],
    ['Completed', (r) => esc(r.data.date ?? '—')],
    ['Stored in', (r) => (r.data.dir ? `<code>${esc(r.data.dir)}</code>` : 'not stored')],
    ['Replicates', (r) => int(r.data.replicates)],
    [
      'Conditions',
      (r) =>
        esc(r.data.conditions.join(', ')) +
        (r.data.reused.length
          ? ` <span class="muted">(reused: ${esc(r.data.reused.join(', '))})</span>`
          : ''),
    ],
    ['Master seed', (r) => esc(masterSeed(r) ?? '—')],
    ['Replicate seeds', seedsCell],
    ['Code fingerprints', fingerprintCell],
    [
      'Pipeline signature',
      (r) => (r.data.pipelineSignature ? `<code>${esc(r.data.pipelineSignature)}</code>` : '—'),
    ],
    ['Pipeline', (r) => pipelineCell(r.data.pipeline)],
    [
      'Packages',
      (r) =>
        Object.entries(r.env.packages)
          .map(([n, v]) => `<code>${esc(n)}@${esc(v)}</code>`)
          .join(', ') || '—',
    ],
    ['Node.js', (r) => esc(r.env.node)],
    [
      'Git commit',
      (r) =>
        r.env.gitCommit
          ? `<code>${esc(r.env.gitCommit)}</code>${r.env.gitDirty ? ' <span class="muted">(with uncommitted changes)</span>' : ''}`
          : '<span class="muted">not a git checkout</span>',
    ],
  ];
  const head =
    runs.length > 1
      ? `<tr><th></th>${runs.map((r) => `<th>${esc(r.label)}</th>`).join('')}</tr>`
      : '';
  return `<section id="run"><h2>Run</h2>
<table class="meta">${head}${rows
    .map(
      ([label, cell]) =>
        `<tr><th scope="row">${esc(label)}</th>${runs.map((r) => `<td>${cell(r)}</td>`).join('')}</tr>`,
    )
    .join('')}</table>
<p class="note">Packages, Node.js and git commit are those of the checkout the report was written from.</p>
</section>`;
}

function masterSeed(r: ReportRun): string | undefined {
  for (const fp of Object.values(r.data.fingerprints))
    if (fp.parts['seed']) return fp.parts['seed'];
  return undefined;
}

function seedsCell(r: ReportRun): string {
  const lists = Object.entries(r.data.seeds);
  const show = (xs: readonly number[]): string =>
    xs.slice(0, MAX_SEEDS_SHOWN).join(', ') +
    (xs.length > MAX_SEEDS_SHOWN ? `, … (${int(xs.length)} in all)` : '');
  const first = lists[0]?.[1];
  if (!first) return '—';
  // Baseline and treatments of one replicate share a seed (SPEC §6): say it once when so.
  if (lists.every(([, xs]) => xs.length === first.length && xs.every((x, i) => x === first[i]))) {
    return `<span class="mono">${esc(show(first))}</span> <span class="muted">(all conditions)</span>`;
  }
  return lists
    .map(([c, xs]) => `${esc(c)}: <span class="mono">${esc(show(xs))}</span>`)
    .join('<br>');
}

function fingerprintCell(r: ReportRun): string {
  const entries = Object.entries(r.data.fingerprints).filter(([, fp]) => fp.hash);
  if (entries.length === 0) return '—';
  const short = (h: string): string => (h.length > 16 ? h.slice(0, 12) : h);
  const parts = entries[0]?.[1].parts ?? {};
  const code = ['pipeline', 'datasource']
    .filter((k) => parts[k])
    .map((k) => `${esc(k)} <code title="${esc(parts[k])}">${esc(short(parts[k] as string))}</code>`)
    .join(' · ');
  return (
    (code ? `${code}<br>` : '') +
    entries
      .map(([c, fp]) => `${esc(c)} <code title="${esc(fp.hash)}">${esc(short(fp.hash))}</code>`)
      .join(' · ')
  );
}

function pipelineCell(pipeline: unknown): string {
  if (pipeline === undefined || pipeline === null) return '—';
  if (Array.isArray(pipeline)) {
    return esc(
      pipeline
        .map((s) =>
          typeof s === 'string'
            ? s
            : ((s as { name?: string; step?: string })?.name ??
              (s as { step?: string })?.step ??
              JSON.stringify(s)),
        )
        .join(' → '),
    );
  }
  const text = typeof pipeline === 'string' ? pipeline : JSON.stringify(pipeline);
  return `<code>${esc(text.length > 400 ? `${text.slice(0, 400)}…` : text)}</code>`;
}
