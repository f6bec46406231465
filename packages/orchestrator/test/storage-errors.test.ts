/*
 * A results folder that fails — before the run, while steps write artifacts, or when the run
 * stores its results — with real files. chmod does not stop root, so as root a file is put where
 * a folder must be (ENOTDIR) instead: either way the file system refuses, and the test asserts.
 */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError, pipelineStep, type FrozenContext } from '@crystallize/core';
import {
  ArtifactPlugin,
  BasePlugin,
  Experiment,
  LoggingPlugin,
  Result,
  type RunContext,
} from '@crystallize/orchestrator';
import { tempDir } from './helpers.js';

const asRoot = process.getuid?.() === 0;
const readOnly: string[] = [];

afterEach(() => {
  for (const dir of readOnly.splice(0)) chmodSync(dir, 0o755);
});

/** Makes creating `parent/<child>` fail: `parent` read-only, or as root a file named `child`. */
function block(parent: string, children: readonly string[]): void {
  if (asRoot) {
    for (const child of children) writeFileSync(join(parent, child), 'in the way');
  } else {
    chmodSync(parent, 0o555);
    readOnly.push(parent);
  }
}

/** Remembers the run folder; `onAfterRun` runs before the ArtifactPlugin stores (listed first). */
class RunDir extends BasePlugin {
  dir = '';
  constructor(private readonly onAfterRun?: (dir: string) => void) {
    super();
  }
  override beforeRun(_e: unknown, run: RunContext): void {
    this.dir = run.dir ?? '';
  }
  override afterRun(): void {
    this.onAfterRun?.(this.dir);
  }
}

function experiment(root: string, runDir: RunDir, blockAtReplicate?: number): Experiment {
  const work = pipelineStep({ name: 'work' }, (x: number, ctx: FrozenContext) => {
    const rep = Number(ctx.get('replicate'));
    if (rep === blockAtReplicate && ctx.get('condition') === 'baseline') {
      block(runDir.dir, [`replicate_${rep}`, `replicate_${rep + 1}`, 'baseline']);
    }
    ctx.artifacts.add('note.txt', `replicate ${rep}`);
    ctx.metrics.add('value', rep * 10);
    return x;
  });
  return new Experiment({
    name: 'stored',
    datasource: () => 1,
    pipeline: [work()],
    plugins: [
      runDir,
      new ArtifactPlugin({ rootDir: root }),
      new LoggingPlugin({ level: 'silent' }),
    ],
    cache: false,
  });
}

function expectStorageErrors(result: Result, runDir: string): void {
  expect(result.ok).toBe(false);
  expect(result.storageErrors.length).toBeGreaterThan(0);
  for (const e of result.storageErrors) {
    expect(e).toBeInstanceOf(StorageError);
    expect(e.path.startsWith(runDir)).toBe(true);
    expect(['mkdir', 'write', 'rename']).toContain(e.operation);
    expect(['EACCES', 'ENOTDIR', 'EEXIST', 'EPERM']).toContain(e.code);
    expect(e.message).toContain(e.path);
    expect(e.message).toMatch(/choose another rootDir/);
  }
}

describe('storage errors', () => {
  it('returns the in-memory Result with storageErrors when artifact files cannot be written mid-run, not a failure of the step', async () => {
    const runDir = new RunDir();
    const result = await experiment(tempDir(), runDir, 1).run({ replicates: 3 });
    expectStorageErrors(result, runDir.dir);
    // The step did not fail: every replicate's metrics count.
    expect(result.errors).toEqual({});
    expect(result.failures.conditions).toEqual([]);
    expect(result.metrics.baseline.metrics['value']).toEqual([0, 10, 20]);
    // The artifact of replicate 1 is among the failures.
    expect(result.storageErrors.some((e) => e.path.includes('replicate_1'))).toBe(true);
  });

  it('returns the in-memory Result with result.ok false and the StorageError when the results cannot be stored at the end', async () => {
    const runDir = new RunDir((dir) => block(dir, ['baseline']));
    const result = await experiment(tempDir(), runDir).run({ replicates: 3 });
    expectStorageErrors(result, runDir.dir);
    expect(result.errors).toEqual({});
    expect(result.metrics.baseline.metrics['value']).toEqual([0, 10, 20]);
    expect(existsSync(join(runDir.dir, 'baseline', '.crystallize_complete'))).toBe(false);
  });

  it('shows storage errors in toJSON as { name, message, path, operation, code } and reads them back', async () => {
    const runDir = new RunDir((dir) => block(dir, ['baseline']));
    const result = await experiment(tempDir(), runDir).run({ replicates: 2 });
    const json = result.toJSON() as { storageErrors: Record<string, unknown>[]; aborted: boolean };
    expect(json.aborted).toBe(false);
    const first = result.storageErrors[0] as StorageError;
    expect(json.storageErrors[0]).toEqual({
      name: 'StorageError',
      message: first.message,
      path: first.path,
      operation: first.operation,
      code: first.code,
    });
    const back = Result.fromJSON(JSON.stringify(json));
    expect(back.storageErrors[0]).toBeInstanceOf(StorageError);
    expect(back.storageErrors[0]?.message).toBe(first.message);
    expect(back.storageErrors[0]?.path).toBe(first.path);
    expect(back.ok).toBe(false);
  });

  it('rejects with a StorageError naming the folder (never a raw fs error) when the results root cannot be used before the run', async () => {
    const parent = tempDir();
    const root = join(parent, 'data');
    block(parent, ['data']);
    const runDir = new RunDir();
    const run = experiment(root, runDir).run({ replicates: 1 });
    await expect(run).rejects.toBeInstanceOf(StorageError);
    await expect(run).rejects.toThrow(/could not mkdir .*data.*choose another rootDir/);
  });
});
