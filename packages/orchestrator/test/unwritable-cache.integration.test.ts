/*
 * An experiment whose cache folder cannot be written, with real files: chmod where it stops the
 * user; as root (whom chmod does not stop) chattr +i where the file system allows it, else a
 * file where the cache folder must be.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CacheWriteError, CacheStore, type CacheWriteErrorPolicy } from '@crystallize/cache';
import { pipelineStep, treatment, type FrozenContext } from '@crystallize/core';
import { ArtifactPlugin, Experiment, LoggingPlugin } from '@crystallize/orchestrator';
import { tempDir } from './helpers.js';

const asRoot = process.getuid?.() === 0;
const undo: (() => void)[] = [];
afterEach(() => {
  for (const f of undo.splice(0).reverse()) f();
});

/** Makes `folder` refuse new files (chmod, or chattr +i as root); false when it cannot. */
function makeReadOnly(folder: string): boolean {
  if (!asRoot) {
    chmodSync(folder, 0o555);
    undo.push(() => chmodSync(folder, 0o755));
    return true;
  }
  try {
    execFileSync('chattr', ['+i', folder], { stdio: 'ignore' });
  } catch {
    return false;
  }
  undo.push(() => execFileSync('chattr', ['-i', folder], { stdio: 'ignore' }));
  return true;
}

/** A cache folder that cannot be written: read-only, or a file where the folder must be. */
function unwritableCacheDir(): string {
  const dir = tempDir();
  if (makeReadOnly(dir)) return dir;
  const file = join(tempDir(), 'cache');
  writeFileSync(file, 'in the way');
  return file;
}

let calls = 0;
const square = pipelineStep(
  { name: 'square', cacheable: true },
  (x: number, ctx: FrozenContext) => {
    calls += 1;
    ctx.metrics.add('y', x * x);
    return x * x;
  },
);

function experiment(
  root: string,
  cacheDir: string,
  onWriteError?: CacheWriteErrorPolicy,
): Experiment {
  return new Experiment({
    name: 'uncached',
    datasource: (ctx) => Number(ctx.get('replicate')) + Number(ctx.get('offset', 0)),
    pipeline: [square()],
    treatments: [treatment('shifted', { offset: 10 })],
    plugins: [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })],
    cache: new CacheStore({ dir: cacheDir, ...(onWriteError ? { onWriteError } : {}) }),
  });
}

const runLog = (root: string): string =>
  readFileSync(join(root, 'uncached', 'v0', 'run.log'), 'utf8');

describe('an unwritable cache folder', () => {
  it('runs every replicate uncached with one warning for the run naming the folder and the fix', async () => {
    const root = tempDir();
    const cacheDir = unwritableCacheDir();
    const result = await experiment(root, cacheDir).run({ replicates: 3 });
    expect(result.errors).toEqual({});
    expect(result.ok).toBe(true);
    expect(result.metrics.baseline.metrics['y']).toEqual([0, 1, 4]);
    expect(result.metrics.treatments['shifted']?.metrics['y']).toEqual([100, 121, 144]);
    const warnings = runLog(root)
      .split('\n')
      .filter((l) => l.includes('"level":40') && l.includes('Could not write cache entry'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(cacheDir);
    expect(warnings[0]).toMatch(/goes on uncached.*onWriteError: 'fail'/);
  });

  it("fails the step with the CacheWriteError under onWriteError: 'fail'", async () => {
    const result = await experiment(tempDir(), unwritableCacheDir(), 'fail').run({
      replicates: 1,
    });
    expect(result.ok).toBe(false);
    const error = result.errors['baseline_rep_0'] as Error & { cause?: unknown };
    expect(error.name).toBe('PipelineExecutionError');
    expect(error.cause).toBeInstanceOf(CacheWriteError);
  });

  it('still serves hits from a read-only cache folder that holds the entries', async () => {
    const cacheDir = tempDir();
    await experiment(tempDir(), cacheDir).run({ replicates: 2 });
    const steps = readdirSync(cacheDir).map((s) => join(cacheDir, s));
    for (const folder of [cacheDir, ...steps]) makeReadOnly(folder);
    calls = 0;
    const root = tempDir();
    const result = await experiment(root, cacheDir).run({ replicates: 2 });
    expect(calls).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.metrics.baseline.metrics['y']).toEqual([0, 1]);
    expect(result.provenance.ctxChanges['baseline']?.[0]?.[0]?.cacheHit).toBe(true);
    expect(runLog(root)).not.toContain('Could not write cache entry');
  });
});
