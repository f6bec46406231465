import { isAbsolute, relative } from 'node:path';
import Table from 'cli-table3';
import { pc } from '../colors.js';
import type { HypothesisSummary, RunSummary } from './summary.js';

export type SummaryFormat = 'table' | 'md' | 'json';

export function fmt(x: number | undefined): string {
  if (x === undefined) return '-';
  if (Number.isNaN(x)) return 'NaN';
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

function yesNo(b: boolean | undefined): string {
  return b === undefined ? '-' : b ? 'yes' : 'no';
}

interface Grid {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function grids(s: RunSummary): Grid[] {
  const out: Grid[] = [];
  for (const [metric, rows] of Object.entries(s.metrics)) {
    out.push({
      title: `metric ${metric}`,
      head: ['condition', 'mean', 'sd', 'n'],
      rows: rows.map((r) => [r.condition, fmt(r.mean), fmt(r.sd), String(r.n)]),
    });
  }
  for (const h of s.hypotheses) out.push(hypothesisGrid(h));
  return out;
}

function hypothesisGrid(h: HypothesisSummary): Grid {
  const perMetric = h.rows.some((r) => r.metric !== undefined);
  return {
    title: `hypothesis ${h.name}`,
    head: [
      'treatment',
      ...(perMetric ? ['metric'] : []),
      'statistic',
      'p',
      'adjusted p',
      'effect size',
      'significant',
      'rank',
    ],
    rows: h.rows.map((r) => [
      r.treatment,
      ...(perMetric ? [r.metric ?? '-'] : []),
      fmt(r.statistic),
      fmt(r.p),
      fmt(r.adjustedP),
      r.effectSize === undefined
        ? '-'
        : `${fmt(r.effectSize)}${r.effectSizeName ? ` (${r.effectSizeName})` : ''}`,
      yesNo(r.significant),
      r.rank === undefined ? '-' : String(r.rank),
    ]),
  };
}

function footer(s: RunSummary, md: boolean): string[] {
  const lines: string[] = [];
  const b = (t: string): string => (md ? `**${t}**` : pc.bold(t));
  for (const h of s.hypotheses) {
    if (h.best !== undefined) lines.push(`${h.name}: best treatment ${b(h.best)}`);
    for (const [t, e] of Object.entries(h.errors)) lines.push(`${h.name}: ${t} failed: ${e}`);
  }
  if (s.hypothesesSource === 'recomputed')
    lines.push(
      'hypotheses recomputed from the stored metrics with the current config: this run was stored before runs kept hypotheses.json',
    );
  const files = new Map<string, number>();
  for (const paths of Object.values(s.artifacts)) {
    for (const p of paths) {
      const name = p.split(/[\\/]/).pop() ?? p;
      files.set(name, (files.get(name) ?? 0) + 1);
    }
  }
  if (files.size) {
    const list = [...files].map(([name, n]) => `${name} (${n} file${n > 1 ? 's' : ''})`).join(', ');
    lines.push(`artifacts${s.dir ? ` in ${shownDir(s.dir)}` : ''}: ${list}`);
  }
  if (s.reused.length) lines.push(`reused from the stored run: ${s.reused.join(', ')}`);
  if (s.cache) lines.push(`cache: ${s.cache.hits} of ${s.cache.calls} step calls reused`);
  const errors = Object.entries(s.errors);
  if (errors.length) {
    lines.push(`${errors.length} failed replicate(s):`);
    for (const [k, e] of errors) lines.push(`  ${k}: ${e}`);
  }
  return lines;
}

function shownDir(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
}

function heading(s: RunSummary): string {
  const where = s.dir ? ` (results in ${shownDir(s.dir)})` : '';
  return `${s.experiment}${s.version !== undefined ? ` v${s.version}` : ''}${where}`;
}

function markdown(s: RunSummary): string {
  const parts = [`## ${heading(s)}`];
  for (const g of grids(s)) {
    parts.push(
      `### ${g.title}`,
      [
        `| ${g.head.join(' | ')} |`,
        `|${g.head.map(() => ' --- ').join('|')}|`,
        ...g.rows.map((r) => `| ${r.join(' | ')} |`),
      ].join('\n'),
    );
  }
  const f = footer(s, true);
  if (f.length) parts.push(f.map((l) => `- ${l.trim()}`).join('\n'));
  return `${parts.join('\n\n')}\n`;
}

function table(s: RunSummary): string {
  const parts = [pc.bold(heading(s))];
  for (const g of grids(s)) {
    const t = new Table({ head: [...g.head], style: { head: [], border: [] } });
    for (const r of g.rows) t.push([...r]);
    parts.push(`${pc.cyan(g.title)}\n${t.toString()}`);
  }
  const f = footer(s, false);
  if (f.length) parts.push(f.join('\n'));
  return `${parts.join('\n\n')}\n`;
}

/** The summary as a terminal table, markdown, or JSON. */
export function renderSummary(s: RunSummary, format: SummaryFormat): string {
  if (format === 'json') return `${JSON.stringify(s, null, 2)}\n`;
  return format === 'md' ? markdown(s) : table(s);
}
