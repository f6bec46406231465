/*
 * `crystallize new` and `crystallize clean`: the built command on a copied project.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkspace, cliFixtures, crystallize, tempProject } from './cli.js';

beforeAll(buildWorkspace, 180_000);

describe('crystallize new', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('valid', cliFixtures);
  });

  it('writes a folder (config and code) that runs as created, with a hypothesis table', () => {
    const made = crystallize(root, ['new', 'fresh']);
    expect(made.status).toBe(0);
    expect(readdirSync(join(root, 'experiments', 'fresh')).sort()).toEqual([
      'config.yaml',
      'datasources.ts',
      'steps.ts',
    ]);
    const run = crystallize(root, ['run', 'fresh']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('metric total');
    expect(run.stdout).toContain('hypothesis total_changes');
    expect(run.stdout).toContain('total_changes: best treatment doubled');
  }, 60_000);

  it('--from up#output wires the new folder to an upstream output, and it runs', () => {
    expect(crystallize(root, ['new', 'child', '--from', 'prepare#doubled']).status).toBe(0);
    expect(readFileSync(join(root, 'experiments', 'child', 'config.yaml'), 'utf8')).toContain(
      'datasource: "prepare#doubled"',
    );
    const run = crystallize(root, ['run', 'child']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('child v0');
    expect(run.stdout).toMatch(/│ baseline\s+│ 12\s+│ 0\s+│ 3 │/); // total of [2, 4, 6]
  }, 60_000);

  it('exits 2 for an existing folder, a bad name, or an output the upstream lacks', () => {
    expect(crystallize(root, ['new', 'scale-demo']).stderr).toContain('already exists');
    expect(crystallize(root, ['new', 'a/b']).status).toBe(2);
    const bad = crystallize(root, ['new', 'other', '--from', 'prepare#doubld']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("'prepare' has no output 'doubld'. Did you mean 'doubled'?");
    expect(existsSync(join(root, 'experiments', 'other'))).toBe(false);
  }, 60_000);
});

describe('crystallize clean', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('valid', cliFixtures);
    for (let i = 0; i < 5; i++) crystallize(root, ['run', 'prepare']);
  }, 120_000);

  it('--dry-run lists stored versions beyond retention with sizes and removes nothing', () => {
    const run = crystallize(root, ['clean', '--runs', '--dry-run']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /\d+(\.\d)? (B|KB)\s+data\/prepare\/v0 {2}\(prepare v0: beyond retention \(3 kept\)\)/,
    );
    expect(run.stdout).toContain('data/prepare/v1');
    expect(run.stdout).not.toContain('data/prepare/v2');
    expect(run.stdout).toContain('(dry run: nothing removed)');
    expect(readdirSync(join(root, 'data', 'prepare')).sort()).toEqual([
      'v0',
      'v1',
      'v2',
      'v3',
      'v4',
    ]);
  }, 60_000);

  it('refuses to remove without --yes when not on a terminal', () => {
    const run = crystallize(root, ['clean', '--runs']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('pass --yes');
  }, 60_000);

  it('removes cache entries no current step can hit (old code), keeping the live ones', () => {
    crystallize(root, ['run', 'scale-demo', '--serial']);
    const before = readdirSync(join(root, '.cache'));
    // Changing ScaleData's code gives it a new cache key; the old entries become unreachable.
    const steps = join(root, 'experiments', 'scale-demo', 'steps.ts');
    writeFileSync(steps, readFileSync(steps, 'utf8').replace('x * this.factor', 'this.factor * x'));
    crystallize(root, ['run', 'scale-demo', '--serial']);
    const after = readdirSync(join(root, '.cache'));
    const added = after.filter((k) => !before.includes(k));
    expect(added).toHaveLength(1);
    const dry = crystallize(root, ['clean', '--cache', '--dry-run']);
    for (const old of before) expect(dry.stdout).toContain(`.cache/${old}`);
    expect(dry.stdout).not.toContain(`.cache/${added[0]}`);
    const run = crystallize(root, ['clean', '--cache', '--yes']);
    expect(run.status).toBe(0);
    expect(readdirSync(join(root, '.cache'))).toEqual(added);
    // The live entry still serves the next run.
    const json = JSON.parse(
      crystallize(root, ['run', 'scale-demo', '--serial', '--json']).stdout,
    ) as {
      experiments: Record<string, { summary: { cache: { hits: number } } }>;
    };
    expect(json.experiments['scale-demo']?.summary.cache.hits).toBeGreaterThan(0);
  }, 120_000);

  it('--yes removes the versions beyond retention', () => {
    const run = crystallize(root, ['clean', 'prepare', '--runs', '--yes']);
    expect(run.status).toBe(0);
    expect(readdirSync(join(root, 'data', 'prepare')).sort()).toEqual(['v2', 'v3', 'v4']);
  }, 60_000);
});
