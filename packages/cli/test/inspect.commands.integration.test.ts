/*
 * `crystallize list`, `show` and `graph`: the built command on a copied project.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkspace, cliFixtures, crystallize, tempProject } from './cli.js';

beforeAll(buildWorkspace, 180_000);

describe('crystallize list', () => {
  it('lists experiments grouped by cli.group, hiding cli.hidden ones unless --all', () => {
    const root = tempProject('valid', cliFixtures);
    const run = crystallize(root, ['list']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Demo\n/m);
    expect(run.stdout).toContain('scale-demo');
    expect(run.stdout).toContain('Scale, normalise, sum');
    expect(run.stdout).toContain('ScaleData > Normalize > ComputeSum');
    expect(run.stdout).not.toContain('grouped-hidden');
    expect(crystallize(root, ['list', '--all']).stdout).toMatch(
      /^Internal\n[\s\S]*grouped-hidden/m,
    );
    const json = JSON.parse(crystallize(root, ['list', '--json']).stdout) as {
      name: string;
      group?: string;
      treatments: string[];
      errors: string[];
    }[];
    expect(json.find((e) => e.name === 'scale-demo')).toMatchObject({
      group: 'Demo',
      treatments: ['baseline', 'double', 'shifted'],
      errors: [],
    });
  }, 60_000);

  it('writes no colour escape codes into piped output, even when CI is set', () => {
    const root = tempProject('valid', cliFixtures);
    const run = crystallize(root, ['list'], { CI: 'true' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('scale-demo');
    expect(run.stdout).not.toContain('\u001b[');
    expect(crystallize(root, ['list'], { CI: 'true', FORCE_COLOR: '1' }).stdout).toContain(
      '\u001b[',
    );
  }, 60_000);

  it('shows load errors as file:line:col and exits 2', () => {
    const root = tempProject('errors');
    const run = crystallize(root, ['list']);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/unknown-key \(invalid\)/);
    expect(run.stdout).toMatch(
      /experiments\/unknown-key\/config\.yaml:2:1 replicats: unknown key 'replicats'/,
    );
  }, 60_000);
});

describe('crystallize show', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('valid', cliFixtures);
    crystallize(root, ['run', 'scale-demo', '--serial']);
    crystallize(root, ['run', 'scale-demo', '--serial', '--treatments', 'double']);
  }, 120_000);

  it('prints the stored metrics and hypotheses of the latest version without running anything', () => {
    const run = crystallize(root, ['show', 'scale-demo']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('scale-demo v1');
    expect(run.stdout).toContain('metric sum');
    expect(run.stdout).toContain('hypothesis sum_grows');
    expect(run.stdout).not.toContain('shifted');
    expect(run.stdout).toContain('artifacts in data/scale-demo/v1: totals.json (8 files)');
    expect(run.stderr).toBe('');
  }, 60_000);

  it('prints the same as the run summary did', () => {
    const fresh = tempProject('valid', cliFixtures);
    const ran = crystallize(fresh, ['run', 'scale-demo', '--serial']);
    const shown = crystallize(fresh, ['show', 'scale-demo']);
    const tables = (s: string): string =>
      s.slice(s.indexOf('metric sum'), s.indexOf('sum_differs: best'));
    expect(tables(shown.stdout)).toBe(tables(ran.stdout));
  }, 60_000);

  it('prints NaN and Infinity metrics a run stored exactly as the run printed them', () => {
    const fresh = tempProject(join(import.meta.dirname, 'fixtures', 'special-metrics'));
    const ran = crystallize(fresh, ['run', 'odd-metrics', '--serial']);
    expect(ran.status).toBe(0);
    // The stored file holds $cz tags, not nulls or strings.
    const stored = readFileSync(
      join(fresh, 'data', 'odd-metrics', 'v0', 'baseline', 'results.json'),
      'utf8',
    );
    expect(stored).toContain('$cz');
    const shown = crystallize(fresh, ['show', 'odd-metrics']);
    expect(shown.status).toBe(0);
    const tables = (s: string): string => s.slice(s.indexOf('metric '), s.lastIndexOf('┘') + 1);
    expect(tables(shown.stdout)).toBe(tables(ran.stdout));
    expect(shown.stdout).toMatch(/metric ceiling[\s\S]*│ baseline\s+│ Infinity\s+│[^\n]*│ 2\s+│/);
    expect(shown.stdout).toMatch(/metric ratio[\s\S]*│ baseline\s+│ NaN\s+│[^\n]*│ 2\s+│/);
  }, 60_000);

  it('--version N and --all-versions pick stored versions', () => {
    expect(crystallize(root, ['show', 'scale-demo', '--version', '0']).stdout).toContain('shifted');
    const all = JSON.parse(
      crystallize(root, ['show', 'scale-demo', '--all-versions', '--format', 'json']).stdout,
    ) as { version: number }[];
    expect(all.map((s) => s.version)).toEqual([0, 1]);
    const missing = crystallize(root, ['show', 'scale-demo', '--version', '7']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('stored: v0, v1');
  }, 60_000);

  it('--format md prints markdown tables and json a summary object', () => {
    const md = crystallize(root, ['show', 'scale-demo', '--format', 'md']).stdout;
    expect(md).toContain('### hypothesis sum_grows');
    expect(md).toContain(
      '| treatment | statistic | p | adjusted p | effect size | significant | rank |',
    );
    expect(md).toContain('best treatment **double**');
    const json = JSON.parse(
      crystallize(root, ['show', 'scale-demo', '--format', 'json']).stdout,
    ) as { metrics: Record<string, unknown[]>; hypotheses: { best: string }[] };
    expect(json.metrics['sum']).toHaveLength(2);
    expect(json.hypotheses[0]?.best).toBe('double');
  }, 60_000);

  it('shows the hypotheses the run stored in hypotheses.json instead of verifying them again', () => {
    const fresh = tempProject('valid', cliFixtures);
    expect(crystallize(fresh, ['run', 'scale-demo', '--serial']).status).toBe(0);
    const file = join(fresh, 'data', 'scale-demo', 'v0', 'hypotheses.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as {
      name: string;
      results: Record<string, { p_value: number }>;
    }[];
    // Marks only the stored file carries: a recomputation would print the config's name and p.
    const grows = stored.find((h) => h.name === 'sum_grows');
    if (!grows?.results['double']) throw new Error('fixture: sum_grows has no double result');
    grows.name = 'sum_grows_as_stored';
    grows.results['double'].p_value = 0.0123;
    writeFileSync(file, JSON.stringify(stored));
    const shown = crystallize(fresh, ['show', 'scale-demo']);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain('hypothesis sum_grows_as_stored');
    expect(shown.stdout).toMatch(/│ double\s+│ [^│]+│ 0\.0123\s+│/);
    expect(shown.stdout).not.toContain('hypothesis sum_grows\n');
    expect(shown.stdout).not.toContain('recomputed');
    const json = JSON.parse(
      crystallize(fresh, ['show', 'scale-demo', '--format', 'json']).stdout,
    ) as { hypothesesSource: string };
    expect(json.hypothesesSource).toBe('stored');

    // A run stored before runs wrote hypotheses.json: verified again, and the footer says so.
    rmSync(file);
    const old = crystallize(fresh, ['show', 'scale-demo']);
    expect(old.status).toBe(0);
    expect(old.stdout).toContain('hypothesis sum_grows\n');
    expect(old.stdout).not.toContain('0.0123');
    expect(old.stdout).toContain(
      'hypotheses recomputed from the stored metrics with the current config: this run was stored before runs kept hypotheses.json',
    );
    const md = crystallize(fresh, ['show', 'scale-demo', '--format', 'md']).stdout;
    expect(md).toContain('- hypotheses recomputed from the stored metrics');
  }, 120_000);

  it('exits 2 when nothing is stored yet, saying how to get results', () => {
    const run = crystallize(root, ['show', 'prepare']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Run it first: crystallize run prepare');
  }, 60_000);
});

describe('crystallize graph', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('valid', cliFixtures);
  });

  it('prints the execution order, upstreams first, with what each reads', () => {
    const run = crystallize(root, ['graph']);
    expect(run.status).toBe(0);
    const order = run.stdout.split('\n').filter((l) => /^\s+\d+\. /.test(l));
    const pos = (n: string): number => order.findIndex((l) => l.includes(` ${n}`));
    expect(pos('prepare')).toBeLessThan(pos('evaluate'));
    expect(pos('slow-up')).toBeLessThan(pos('slow-down'));
    expect(run.stdout).toContain('evaluate  <- prepare#doubled');
  }, 60_000);

  it('prints mermaid and dot', () => {
    expect(crystallize(root, ['graph', '--format', 'mermaid']).stdout).toContain(
      'prepare -->|doubled| evaluate',
    );
    const dot = crystallize(root, ['graph', '--format', 'dot']).stdout;
    expect(dot).toMatch(/^digraph experiments \{/);
    expect(dot).toContain('"prepare" -> "evaluate" [label="doubled"];');
    expect(crystallize(root, ['graph', '--format', 'svg']).status).toBe(2);
  }, 60_000);

  it('exits 2 naming a cycle', () => {
    const run = crystallize(tempProject('errors'), ['graph']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('cycle');
    expect(run.stderr).toMatch(/cycle-a -> cycle-b -> cycle-a|cycle-b -> cycle-a -> cycle-b/);
  }, 60_000);
});
