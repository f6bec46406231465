import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const fixture = join(import.meta.dirname, 'fixtures', 'progress-run.mjs');

describe('progress bars', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'pipe' });
  }, 120_000);

  it('show replicates done/total, rate and ETA on a terminal, serial and in workers', () => {
    // `script` runs the fixture on a pseudo-terminal, as a user's shell would.
    const run = spawnSync('script', ['-qec', `"${process.execPath}" "${fixture}"`, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent' },
    });
    expect(run.status).toBe(0);
    const screen = run.stdout;
    expect(screen).toContain('done');
    expect(screen).toMatch(/progress-serial \[.*\] 4\/4 replicates \| [\d.]+\/s \| ETA/);
    expect(screen).toMatch(/progress-parallel \[.*\] 6\/6 replicates \| [\d.]+\/s \| ETA/);
  }, 60_000);

  it('print nothing when output is not a terminal', () => {
    const run = spawnSync(process.execPath, [fixture], {
      encoding: 'utf8',
      env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent' },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('done\n');
    expect(run.stderr).toBe('');
  }, 60_000);
});
