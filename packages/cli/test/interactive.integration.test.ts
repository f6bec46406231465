/*
 * What a user sees at a terminal and does with Ctrl-C: progress on a pseudo-terminal, an
 * interrupted (and a killed) run picked up by --resume, and --watch rerunning on an edit.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  bin,
  buildWorkspace,
  cliFixtures,
  crystallize,
  exitOf,
  startCrystallize,
  tempProject,
  until,
} from './cli.js';

beforeAll(buildWorkspace, 180_000);

const upstreamDone = (root: string): boolean =>
  existsSync(join(root, 'data', 'slow-up', 'v0', 'baseline', '.crystallize_complete'));

describe('progress', () => {
  it('shows replicates done/total, rate and ETA on a terminal', () => {
    const root = tempProject('valid', cliFixtures);
    // `script` runs the command on a pseudo-terminal, as a user's shell would.
    const run = spawnSync(
      'script',
      [
        '-qec',
        `"${process.execPath}" "${bin}" --root "${root}" run scale-demo --serial`,
        '/dev/null',
      ],
      {
        encoding: 'utf8',
        cwd: root,
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/scale-demo \[.*\] 4\/4 replicates \| [\d.]+\/s \| ETA/);
    expect(run.stdout).toContain('hypothesis sum_grows');
  }, 60_000);

  it('is absent when stderr is piped', () => {
    const run = crystallize(tempProject('valid', cliFixtures), ['run', 'scale-demo', '--serial']);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('replicates |');
    expect(run.stdout).not.toContain('replicates |');
  }, 60_000);
});

describe('interrupting a run', () => {
  it('Ctrl-C stops the run, keeps what completed, and --resume reuses it', async () => {
    const root = tempProject('valid', cliFixtures);
    const child = startCrystallize(root, ['run', 'slow-down'], { SLOW_STEP_MS: '200' });
    await until(() => upstreamDone(root), 60_000, 'slow-up to complete');
    await new Promise((r) => setTimeout(r, 400)); // slow-down is now running
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(130);
    expect(child.output.stderr).toContain('interrupted: finishing the replicates in progress');
    expect(child.output.stderr).toContain('crystallize run --resume');
    const resumed = crystallize(root, ['run', 'slow-down', '--resume'], { SLOW_STEP_MS: '0' });
    expect(resumed.status).toBe(0);
    const upstream = resumed.stdout.slice(
      // slow-up's v0 finished: the resume stores into a new version, reusing all of v0
      // (slow-down's aborted v0 is continued in place).
      resumed.stdout.indexOf('slow-up v1'),
      resumed.stdout.indexOf('slow-down v'),
    );
    expect(upstream).toContain('reused from the stored run: baseline');
    expect(resumed.stdout).toMatch(/│ baseline\s+│ 6\s+│ 0\s+│ 30 │/);
  }, 120_000);

  it('Ctrl-C twice stops at once', async () => {
    const root = tempProject('valid', cliFixtures);
    const child = startCrystallize(root, ['run', 'slow-down'], { SLOW_STEP_MS: '5000' });
    await until(() => upstreamDone(root), 60_000, 'slow-up to complete');
    child.kill('SIGINT');
    await until(() => child.output.stderr.includes('interrupted:'), 10_000, 'the first interrupt');
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(130);
    expect(child.output.stderr).toContain('interrupted again: stopping now.');
  }, 120_000);

  it('a killed process loses only what was running: --resume reuses the completed upstream', async () => {
    const root = tempProject('valid', cliFixtures);
    const child = startCrystallize(root, ['run', 'slow-down'], { SLOW_STEP_MS: '200' });
    await until(() => upstreamDone(root), 60_000, 'slow-up to complete');
    child.kill('SIGKILL');
    await exitOf(child);
    const resumed = crystallize(root, ['run', 'slow-down', '--resume'], { SLOW_STEP_MS: '0' });
    expect(resumed.status).toBe(0);
    expect(resumed.stdout.slice(0, resumed.stdout.indexOf('slow-down v'))).toContain(
      'reused from the stored run: baseline',
    );
  }, 120_000);
});

describe('run --watch', () => {
  it('reruns when a file of the experiment changes, reusing what did not change', async () => {
    const root = tempProject('valid', cliFixtures);
    const child = startCrystallize(root, ['run', 'prepare', '--watch']);
    try {
      await until(() => child.output.stdout.includes('prepare v0'), 60_000, 'the first run');
      await until(() => child.output.stderr.includes('[watch] run 1 ended'), 10_000, 'the watcher');
      appendFileSync(
        join(root, 'experiments', 'prepare', 'config.yaml'),
        'treatments:\n  extra: { unused: 1 }\n',
      );
      await until(
        () => child.output.stdout.includes('reused from the stored run: baseline'),
        60_000,
        'the rerun',
      );
      expect(child.output.stderr).toContain('config.yaml changed: running again');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exitOf(child)).toBe(0);
  }, 120_000);
});
