/*
 * The README demo as a folder experiment (apps/examples/experiments/yaml-demo), run the way
 * `npm run demo` runs it: the built `crystallize run`, results and cache in a fresh folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkspace, repo } from './build-workspace.js';
import { tempDir } from './temp-dir.js';

const bin = join(repo, 'packages', 'cli', 'dist', 'bin.js');
const folder = join(repo, 'apps', 'examples', 'experiments', 'yaml-demo');

beforeAll(buildWorkspace, 120_000);

describe('README demo as a folder experiment (crystallize run apps/examples/experiments/yaml-demo)', () => {
  it('prints the metric table and the hypothesis table, names the best treatment, and stores the outputs', () => {
    const root = tempDir();
    const env = { ...process.env };
    delete env['CRYSTALLIZE_LOG_LEVEL'];
    delete env['CRYSTALLIZE_CACHE_DIR'];
    const run = spawnSync(process.execPath, [bin, '--root', root, 'run', folder], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('yaml-demo v0 (results in data/yaml-demo/v0)');
    for (const condition of ['baseline', 'double', 'half', 'nudge']) {
      expect(run.stdout).toMatch(new RegExp(`│ ${condition}\\s+│ [\\d.]+\\s+│ [\\d.]+\\s+│ 8 │`));
    }
    expect(run.stdout).toContain('hypothesis sum_changes');
    expect(run.stdout).toMatch(
      /│ nudge\s+│ [-\d.]+\s+│ [\d.]+\s+│ [\d.]+\s+│ [-\d.]+ \(cohens_d\)\s+│ no\s+│ 3\s+│/,
    );
    expect(run.stdout).toContain('sum_changes: best treatment double');
    expect(
      existsSync(
        join(root, 'data', 'yaml-demo', 'v0', 'replicate_7', 'half', 'ComputeSum', 'totals.json'),
      ),
    ).toBe(true);
  }, 120_000);

  it('npm run demo ends by writing the HTML report of the run and printing its path', () => {
    // The demo's command lines, as the root package.json runs them after install and build.
    const demo = (
      JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts['demo'];
    const commands = (demo ?? '')
      .split('&&')
      .map((c) => c.trim())
      .filter((c) => c.startsWith('crystallize '));
    expect(commands).toEqual([
      'crystallize run apps/examples/experiments/yaml-demo',
      'crystallize report apps/examples/experiments/yaml-demo',
    ]);
    const root = tempDir();
    const env = { ...process.env };
    delete env['CRYSTALLIZE_LOG_LEVEL'];
    delete env['CRYSTALLIZE_CACHE_DIR'];
    const outputs = commands.map((c) => {
      const [command, target] = c.split(' ').slice(1) as [string, string];
      return spawnSync(process.execPath, [bin, '--root', root, command, join(repo, target)], {
        cwd: root,
        env,
        encoding: 'utf8',
      });
    });
    expect(outputs.map((o) => o.status)).toEqual([0, 0]);
    const report = join(root, 'data', 'yaml-demo', 'v0', 'report.html');
    expect(outputs[1]?.stdout).toBe(`${report}\n`);
    expect(outputs[1]?.stderr).toBe('');
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('Experiment report: yaml-demo');
    expect(html).toContain('data-hypothesis="sum_changes"');
  }, 120_000);
});
