/*
 * `crystallize report`: the built command in a child process on a copied project. The page it
 * writes is checked as a file: self-contained, and its tables equal the stored results.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkspace, cliFixtures, crystallize, tempProject } from './cli.js';

beforeAll(buildWorkspace, 180_000);

interface StoredResults {
  metrics: Record<string, number[]>;
}
interface StoredHypothesis {
  name: string;
  results: Record<string, { p_value: number; statistic: number }>;
}

const json = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** The exact numbers (`data-value`) of each row of the page's tables, keyed by the row's attributes. */
function tableRows(html: string, attrs: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  const re = new RegExp(`<tr ${attrs}>([\\s\\S]*?)</tr>`, 'g');
  for (const m of html.matchAll(re)) {
    const key = m.slice(1, -1).join('/');
    rows.set(
      key,
      [...(m[m.length - 1] as string).matchAll(/data-value="([^"]*)"/g)].map((v) => v[1] as string),
    );
  }
  return rows;
}

/** No script, stylesheet link, image or other URL the browser would fetch. */
function expectSelfContained(html: string): void {
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).not.toMatch(/<script|<link|<img|<iframe/i);
  expect(html).not.toMatch(/\ssrc=/i);
  expect(html).not.toMatch(/url\(/i);
  // SVG namespace names are identifiers, not requests.
  const rest = html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g, '');
  expect(rest).not.toMatch(/https?:\/\//i);
  expect(html).toContain('<svg');
}

describe('crystallize report', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('valid', cliFixtures);
    expect(crystallize(root, ['run', 'scale-demo', '--serial']).status).toBe(0);
    expect(
      crystallize(root, ['run', 'scale-demo', '--serial', '--treatments', 'double']).status,
    ).toBe(0);
  }, 180_000);

  it('writes <run dir>/report.html of the newest version and prints only its path', () => {
    const run = crystallize(root, ['report', 'scale-demo']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const file = join(root, 'data', 'scale-demo', 'v1', 'report.html');
    expect(run.stdout).toBe(`${file}\n`);
    expect(existsSync(file)).toBe(true);
    expectSelfContained(readFileSync(file, 'utf8'));
  }, 60_000);

  it("writes tables whose numbers equal the run's results.json and hypotheses.json", () => {
    const out = join(root, 'out', 'v0.html');
    const run = crystallize(root, ['report', 'scale-demo', '--version', '0', '-o', out]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${out}\n`);
    const html = readFileSync(out, 'utf8');
    expectSelfContained(html);
    const dir = join(root, 'data', 'scale-demo', 'v0');
    const metrics = tableRows(html, 'data-metric="([^"]*)" data-condition="([^"]*)"');
    for (const condition of ['baseline', 'double', 'shifted']) {
      const values = json<StoredResults>(join(dir, condition, 'results.json')).metrics['sum'];
      const row = metrics.get(`sum/${condition}`);
      // n, mean, CI low, CI high, sd, min, max
      expect(row?.[0]).toBe(String(values?.length));
      const mean = (values ?? []).reduce((a, b) => a + b, 0) / (values?.length ?? 1);
      expect(Number(row?.[1])).toBeCloseTo(mean, 10);
      expect(Number(row?.[5])).toBe(Math.min(...(values ?? [])));
      expect(Number(row?.[6])).toBe(Math.max(...(values ?? [])));
    }
    const hypotheses = json<StoredHypothesis[]>(join(dir, 'hypotheses.json'));
    const grows = hypotheses.find((h) => h.name === 'sum_grows');
    const rows = tableRows(
      html,
      'data-hypothesis="([^"]*)" data-treatment="([^"]*)" data-test="([^"]*)"',
    );
    for (const treatment of ['double', 'shifted']) {
      const row = rows.get(`sum_grows/${treatment}/`);
      // statistic, p, adjusted p, ...
      expect(Number(row?.[0])).toBe(grows?.results[treatment]?.statistic);
      expect(Number(row?.[1])).toBe(grows?.results[treatment]?.p_value);
    }
  }, 60_000);

  it('accepts a stored run folder, and --compare vN writes the two versions side by side', () => {
    const v0 = join(root, 'data', 'scale-demo', 'v0');
    const direct = crystallize(root, ['report', 'data/scale-demo/v0']);
    expect(direct.status).toBe(0);
    expect(direct.stdout).toBe(`${join(v0, 'report.html')}\n`);
    const cmp = crystallize(root, ['report', 'scale-demo', '--compare', 'v0']);
    expect(cmp.status).toBe(0);
    const file = join(root, 'data', 'scale-demo', 'v1', 'report-vs-v0.html');
    expect(cmp.stdout).toBe(`${file}\n`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('Experiment report: scale-demo — v1 vs v0');
    expectSelfContained(html);
  }, 60_000);

  it('reports the stored runs of a module.ts#export experiment', () => {
    expect(crystallize(root, ['run', 'modules/experiments.ts#noisy']).status).toBe(0);
    const run = crystallize(root, ['report', 'modules/experiments.ts#noisy']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const file = join(root, 'data', 'noisy', 'v0', 'report.html');
    expect(run.stdout).toBe(`${file}\n`);
    expect(readFileSync(file, 'utf8')).toContain('Experiment report: noisy');
  }, 60_000);

  it('exits 2 with what to do when nothing is stored, or a version or --compare does not exist', () => {
    const none = crystallize(root, ['report', 'prepare']);
    expect(none.status).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain("no stored runs of 'prepare'");
    expect(none.stderr).toContain('Run it first: crystallize run prepare');
    const version = crystallize(root, ['report', 'scale-demo', '--version', '7']);
    expect(version.status).toBe(2);
    expect(version.stderr).toContain('stored: v0, v1');
    const compare = crystallize(root, ['report', 'scale-demo', '--compare', 'v9']);
    expect(compare.status).toBe(2);
    expect(compare.stderr).toContain('--compare v9');
    expect(compare.stderr).toContain('stored: v0, v1');
    expect(crystallize(root, ['report', 'scale-demo', '--compare', 'v1']).status).toBe(2);
    expect(crystallize(root, ['report', 'scale-demo', '--compare', 'latest']).status).toBe(2);
  }, 60_000);

  it('exits 2 with a ReportError message when a stored file is damaged', () => {
    const damaged = tempProject('valid', cliFixtures);
    expect(crystallize(damaged, ['run', 'scale-demo', '--serial']).status).toBe(0);
    const file = join(damaged, 'data', 'scale-demo', 'v0', 'hypotheses.json');
    writeFileSync(file, '{ not json');
    const run = crystallize(damaged, ['report', 'scale-demo']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`Cannot read ${file}`);
    expect(run.stderr).not.toContain('    at '); // a message, not a stack
  }, 120_000);
});

describe('crystallize report on a folder of experiments (a graph root)', () => {
  it('writes one report per experiment into its newest run folder', () => {
    const root = tempProject('valid', cliFixtures);
    // Keep the chained pair prepare -> evaluate only.
    for (const other of [
      'scale-demo',
      'step-kinds',
      'bad-hypothesis',
      'failing',
      'grouped-hidden',
      'slow-up',
      'slow-down',
    ])
      rmSync(join(root, 'experiments', other), { recursive: true });
    const missing = crystallize(root, ['report', 'experiments']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no stored runs of 'evaluate'");
    expect(missing.stderr).toContain("no stored runs of 'prepare'");
    expect(crystallize(root, ['run', 'experiments']).status).toBe(0);
    const run = crystallize(root, ['report', 'experiments']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').sort()).toEqual([
      join(root, 'data', 'evaluate', 'v0', 'report.html'),
      join(root, 'data', 'prepare', 'v0', 'report.html'),
    ]);
    const one = crystallize(root, ['report', 'experiments', '-o', 'x.html']);
    expect(one.status).toBe(2);
    expect(one.stderr).toContain("'experiments' holds 2 experiments (");
    expect(one.stderr).toContain('-o needs one');
  }, 180_000);
});
