/*
 * `pnpm bench` from the command line, built, the way CI's smoke run starts it: every line is one
 * JSON object tagged with its tier, and the cold tier's figures come from fresh processes.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const repo = resolve(process.cwd());
const MAIN = join(repo, 'apps', 'bench', 'dist', 'main.js');

interface Line {
  bench: string;
  metric: string;
  value: number;
  tier: string;
  [k: string]: unknown;
}

function bench(args: string[]): { lines: Line[]; stderr: string; status: number | null } {
  const run = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: repo,
    env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent', CZ_SRC: '' },
    encoding: 'utf8',
  });
  const lines = run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
  return { lines, stderr: run.stderr, status: run.status };
}

beforeAll(() => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}, 180_000);

describe('pnpm bench', () => {
  it('prints every cold-tier figure (import, W1-W4) from fresh processes, each line tagged tier "cold"', () => {
    const { lines, status, stderr } = bench(['--quick', '--tier', 'cold', '--processes', '1']);
    expect(stderr).not.toMatch(/Error/);
    expect(status).toBe(0);
    expect(lines.every((l) => l.tier === 'cold')).toBe(true);
    const figures = lines.map((l) => `${l.bench} ${l.metric}${l.kind ? ` ${l.kind}` : ''}`);
    expect(figures).toEqual(
      expect.arrayContaining([
        'IMPORT import_over_bare_ms',
        'W1 first_run_us_per_step_call',
        'W1 whole_process_ms',
        'W2 second_run_ms_per_hit Float64Array',
        'W2 second_run_ms_per_hit number[]',
        'W3 first_run_speedup',
        'W4 wall_ms',
        'W4 peak_rss_mb',
        'W4 whole_process_ms',
      ]),
    );
    for (const l of lines) if (l.runs !== undefined) expect(l.runs).toBe(1);
    const w3 = lines.find((l) => l.metric === 'first_run_speedup')!;
    expect(w3.identical_metrics_and_seeds).toBe(true);
    expect(lines.some((l) => l.impl === 'python')).toBe(false);
  }, 180_000);

  it('tags every warm-tier line tier "warm" and starts no cold figure with --tier warm', () => {
    const { lines, status } = bench(['--quick', '--tier', 'warm', 'W1', 'W2E']);
    expect(status).toBe(0);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.tier === 'warm')).toBe(true);
    expect(lines.map((l) => l.metric)).not.toContain('first_run_us_per_step_call');
  }, 180_000);

  it('exits 1 with the usage when --python is asked for without a crystallize-ml checkout', () => {
    const { status, stderr, lines } = bench(['--quick', '--python', 'IMPORT']);
    expect(status).toBe(1);
    expect(stderr).toMatch(
      /^PythonAnchorError: `--python` needs a crystallize-ml checkout: set CZ_SRC=/,
    );
    expect(lines).toEqual([]);
  });
});
