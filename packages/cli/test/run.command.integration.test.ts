/*
 * `crystallize run`, as a user runs it: the built command in a child process on a project copied
 * from fixtures; stdout, stderr and exit codes checked.
 */
import { buildWorkspace, cliFixtures, crystallize, tempProject } from './cli.js';

interface RunJson {
  ok: boolean;
  experiments: Record<
    string,
    {
      summary: {
        conditions: string[];
        metrics: Record<string, { condition: string; n: number; mean: number }[]>;
        cache?: { hits: number; calls: number };
        hypotheses: { name: string; best: string }[];
      };
      result: {
        metrics: { baseline: { metrics: Record<string, number[]> } };
        provenance: { seeds: Record<string, number[]> };
      };
    }
  >;
}

beforeAll(buildWorkspace, 180_000);

describe('crystallize run', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('valid', cliFixtures);
  });

  it('prints a table per metric and the hypothesis table on stdout, names the best treatment, and exits 0', () => {
    const run = crystallize(root, ['run', 'scale-demo']);
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toContain('metric sum');
    expect(out).toMatch(/│ condition │ mean\s+│ sd\s+│ n │/);
    expect(out).toMatch(/│ baseline\s+│ [\d.]+\s+│ [\d.]+\s+│ 4 │/);
    expect(out).toContain('hypothesis sum_grows');
    expect(out).toMatch(
      /│ treatment │ statistic │ p\s+│ adjusted p │ effect size\s+│ significant │ rank │/,
    );
    expect(out).toContain('sum_grows: best treatment double');
  }, 60_000);

  it('writes nothing but the final output when not on a terminal (no progress, no logs)', () => {
    const run = crystallize(root, ['run', 'scale-demo', '--serial']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  }, 60_000);

  it('--json prints the result as JSON and nothing else on stdout', () => {
    const run = crystallize(root, ['run', 'scale-demo', '--json']);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as RunJson;
    expect(json.ok).toBe(true);
    const demo = json.experiments['scale-demo'];
    expect(demo?.summary.conditions).toEqual(['baseline', 'double', 'shifted']);
    expect(demo?.result.metrics.baseline.metrics['sum']).toHaveLength(4);
    expect(demo?.summary.hypotheses[0]).toMatchObject({ name: 'sum_grows', best: 'double' });
  }, 60_000);

  it('--treatments, --replicates and --seed choose what runs', () => {
    const run = crystallize(root, [
      'run',
      'scale-demo',
      '--treatments',
      'double',
      '--replicates',
      '2',
      '--seed',
      '7',
      '--serial',
      '--json',
    ]);
    expect(run.status).toBe(0);
    const demo = (JSON.parse(run.stdout) as RunJson).experiments['scale-demo'];
    expect(demo?.summary.conditions).toEqual(['baseline', 'double']);
    expect(demo?.summary.metrics['sum']?.map((r) => r.n)).toEqual([2, 2]);
    expect(demo?.result.provenance.seeds['baseline']).toEqual([7, 7 + 31337]);
  }, 60_000);

  it('gives the same metrics in worker threads (--workers 2) as serially (--serial)', () => {
    const serial = JSON.parse(
      crystallize(root, ['run', 'scale-demo', '--serial', '--json']).stdout,
    ) as RunJson;
    const parallel = JSON.parse(
      crystallize(root, ['run', 'scale-demo', '--workers', '2', '--json']).stdout,
    ) as RunJson;
    expect(parallel.experiments['scale-demo']?.result.metrics).toEqual(
      serial.experiments['scale-demo']?.result.metrics,
    );
  }, 60_000);

  it('reuses cached step outputs, and --no-cache runs every step', () => {
    const cached = JSON.parse(
      crystallize(root, ['run', 'scale-demo', '--serial', '--json']).stdout,
    ) as RunJson;
    const uncached = JSON.parse(
      crystallize(root, ['run', 'scale-demo', '--serial', '--no-cache', '--json']).stdout,
    ) as RunJson;
    expect(cached.experiments['scale-demo']?.summary.cache?.hits).toBeGreaterThan(0);
    expect(uncached.experiments['scale-demo']?.summary.cache?.hits).toBe(0);
  }, 60_000);

  it('exits 1 when a replicate fails, naming it, and still prints the summary', () => {
    const run = crystallize(root, ['run', 'failing']);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('metric total');
    expect(run.stdout).toContain('baseline_rep_1');
    expect(run.stdout).toContain('broken on purpose');
  }, 60_000);

  it('exits 1 when a hypothesis fails, naming the treatment and the cause', () => {
    const run = crystallize(root, ['run', 'bad-hypothesis']);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      "on_missing_metric: more failed: MissingMetricError: Metric 'totl' is missing",
    );
  }, 60_000);

  it('runs a folder path that reads an upstream as a graph, upstream first', () => {
    const run = crystallize(root, ['run', 'experiments/evaluate']);
    expect(run.status).toBe(0);
    expect(run.stdout.indexOf('prepare v')).toBeGreaterThanOrEqual(0);
    expect(run.stdout.indexOf('prepare v')).toBeLessThan(run.stdout.indexOf('evaluate v'));
    expect(run.stdout).toMatch(/│ baseline\s+│ 22\s+│ 0\s+│ 3 │/);
    // Downstream replicates in worker threads read the upstream's stored output the same way.
    const parallel = crystallize(root, ['run', 'experiments/evaluate', '--workers', '2']);
    expect(parallel.status).toBe(0);
    expect(parallel.stdout).toMatch(/│ baseline\s+│ 22\s+│ 0\s+│ 3 │/);
  }, 60_000);

  it('runs a graph root: every experiment reading another and what they read', () => {
    const run = crystallize(root, ['run', 'experiments', '--json'], { SLOW_STEP_MS: '0' });
    expect(run.status).toBe(0);
    expect(Object.keys((JSON.parse(run.stdout) as RunJson).experiments).sort()).toEqual([
      'evaluate',
      'prepare',
      'slow-down',
      'slow-up',
    ]);
  }, 120_000);

  it('runs module.ts#exportName, and asks which export when a module has several', () => {
    const run = crystallize(root, ['run', 'modules/experiments.ts#noisy']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('noisy v0');
    const ambiguous = crystallize(root, ['run', 'modules/experiments.ts']);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toContain('exports several experiments (noisy, other)');
    const missing = crystallize(root, ['run', 'modules/experiments.ts#nosiy']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("Did you mean 'noisy'?");
  }, 60_000);

  it('exits 2 for an unknown target or treatment, suggesting the closest name', () => {
    const target = crystallize(root, ['run', 'scale-dem']);
    expect(target.status).toBe(2);
    expect(target.stderr).toContain("no experiment 'scale-dem'");
    expect(target.stderr).toContain("Did you mean 'scale-demo'?");
    expect(target.stdout).toBe('');
    const t = crystallize(root, ['run', 'scale-demo', '--treatments', 'dubble']);
    expect(t.status).toBe(2);
    expect(t.stderr).toContain("'dubble' (Did you mean 'double'?)");
  }, 60_000);

  it('exits 2 for an unknown command (suggesting one) or none, and 0 for --help', () => {
    const typo = crystallize(root, ['rn', 'scale-demo']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('(Did you mean run?)');
    expect(crystallize(root, []).status).toBe(2);
    const help = crystallize(root, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Commands:');
  }, 60_000);

  it('exits 2 for bad usage: a bad option value, --serial with --workers, --distributed', () => {
    expect(crystallize(root, ['run', 'scale-demo', '--replicates', 'zero']).status).toBe(2);
    expect(crystallize(root, ['run', 'scale-demo', '--serial', '--workers', '2']).status).toBe(2);
    // Nothing listens on port 1: the run says so within the connect timeout, and exits.
    const d = crystallize(root, ['run', 'scale-demo', '--distributed', 'redis://localhost:1']);
    expect(d.status).toBe(2);
    expect(d.stderr).toContain('cannot reach Redis at redis://localhost:1');
  }, 60_000);
});

describe('crystallize run on a broken folder', () => {
  it('exits 2 and prints every problem with file:line:column and an excerpt on stderr', () => {
    const root = tempProject('errors');
    const run = crystallize(root, ['run', 'unknown-key']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('3 problems in experiments/unknown-key/config.yaml');
    expect(run.stderr).toContain(
      "experiments/unknown-key/config.yaml:2:1 replicats: unknown key 'replicats'. Did you mean 'replicates'?",
    );
    expect(run.stderr).toContain('  2 | replicats: 3\n    | ^');
  }, 60_000);
});
