import { esc } from './markup.js';

/*
 * The page shell. No script, no external file, no web font: the report is complete as written,
 * with JavaScript off and without a network, and the Content-Security-Policy says so to the
 * browser (`default-src 'none'` — nothing may be fetched).
 */
const CSS = `
:root { color-scheme: light; --ink:#1d232a; --muted:#5b6670; --line:#d9dee3; --accent:#2f6f9f; --bad:#b3261e; --good:#1e7a3a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 3px solid var(--accent); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: var(--muted); }
nav { padding: 8px 32px; border-bottom: 1px solid var(--line); background: #f6f8fa; }
nav a { margin-right: 16px; color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 32px; max-width: 1280px; }
section { margin-top: 24px; }
h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 8px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.muted, figcaption, .note { color: var(--muted); }
.note { font-size: 12.5px; margin: 4px 0 8px; max-width: 90ch; }
.estimate { font-style: italic; }
.yes { color: var(--good); font-weight: 600; }
.no { color: var(--muted); }
.err { color: var(--bad); }
figure { margin: 8px 0 4px; }
figure svg { max-width: 100%; height: auto; }
.row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
footer { padding: 12px 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
@media print {
  nav { display: none; }
  header, main, footer { padding-left: 0; padding-right: 0; }
  section, figure, table, .metric { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  body { font-size: 11px; }
  .side { grid-template-columns: 1fr 1fr; }
}
@page { margin: 14mm; }
`;

export function page(opts: {
  title: string;
  subtitle: string;
  nav: readonly (readonly [string, string])[];
  body: string;
  footer: string;
}): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="@crystallize/report">
<title>${esc(opts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(opts.title)}</h1><p>${esc(opts.subtitle)}</p></header>
<nav>${opts.nav.map(([id, label]) => `<a href="#${esc(id)}">${esc(label)}</a>`).join('')}</nav>
<main>
${opts.body}
</main>
<footer>${opts.footer}</footer>
</body>
</html>
`;
}
