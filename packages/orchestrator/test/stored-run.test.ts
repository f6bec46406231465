/*
 * Issue #11 point 2: the on-disk run layout has one home (`src/storage/`), and other packages
 * (the CLI's `show`, the HTML report) read stored runs back through
 * `@crystallize/orchestrator/internal`. Also: per-run state is not kept on the Experiment.
 */
import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hypothesis, treatment, verifier } from '@crystallize/core';
import { ArtifactPlugin, Experiment, LoggingPlugin } from '@crystallize/orchestrator';
import {
  latestVersionDir,
  listVersions,
  readStoredRun,
  readStoredRuns,
} from '@crystallize/orchestrator/internal';
import { ComputeSum, Normalize, tempDir } from './helpers.js';

function experiment(rootDir: string, versioned = false): Experiment {
  return new Experiment({
    name: 'stored-run',
    description: 'reads itself back',
    datasource: () => [1, 2, 3],
    pipeline: [Normalize, ComputeSum],
    treatments: [treatment('halve', { scale_factor: 2 })],
    hypotheses: [
      hypothesis({
        name: 'smaller',
        metrics: 'sum',
        verifier: verifier(() => ({ p_value: 0.01 }), {}, { name: 'fixed' }),
      }),
    ],
    replicates: 2,
    plugins: [new ArtifactPlugin({ rootDir, versioned }), new LoggingPlugin({ level: 'silent' })],
    cache: false,
  });
}

describe('reading stored runs back (storage/)', () => {
  it('reads a stored run whole: metadata, per-condition metrics and seeds, manifest, hypotheses', async () => {
    const root = tempDir();
    const result = await experiment(root).run();
    const dir = latestVersionDir(join(root, 'stored-run'));
    expect(dir).toBe(join(root, 'stored-run', 'v0'));
    const run = readStoredRun(dir!);
    expect(run?.version).toBe(0);
    expect(run?.metadata).toMatchObject({
      experiment: 'stored-run',
      description: 'reads itself back',
      ok: result.ok,
      replicates: 2,
      conditions: ['baseline', 'halve'],
    });
    expect(run?.conditions['baseline']?.metrics).toEqual({ sum: [6, 6] });
    expect(run?.conditions['halve']?.metrics).toEqual({ sum: [3, 3] });
    expect(run?.conditions['halve']?.seeds).toEqual(result.provenance.seeds['halve']);
    expect(Object.keys(run?.conditions['baseline']?.provenance ?? {})).toEqual(['0', '1']);
    expect(run?.hypotheses).toHaveLength(1);
    expect(run?.manifest).toEqual({});
  });

  it('lists versions and reads every stored run of an experiment, oldest first', async () => {
    const root = tempDir();
    await experiment(root, true).run();
    await experiment(root, true).run({ replicates: 3 });
    expect(listVersions(join(root, 'stored-run'))).toEqual([0, 1]);
    const runs = readStoredRuns(join(root, 'stored-run'));
    expect(runs.map((r) => [r.version, r.metadata.replicates])).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });

  it('answers undefined for a folder where no run finished', () => {
    expect(readStoredRun(tempDir())).toBeUndefined();
  });

  it('writes stored files atomically: no temp file is left in a run folder', async () => {
    const root = tempDir();
    await experiment(root).run();
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : [e.name],
      );
    expect(walk(root).filter((f) => /tmp/.test(f))).toEqual([]);
  });
});

describe('per-run state', () => {
  it('does not carry resume reasons from a run that failed in beforeRun into the next run', async () => {
    const root = tempDir();
    let fail = false;
    const make = (): Experiment =>
      new Experiment({
        name: 'no-stale-state',
        datasource: () => [1, 2, 3],
        pipeline: [ComputeSum],
        plugins: [
          {
            beforeRun: () => {
              if (fail) throw new Error('beforeRun refused');
            },
          },
          new ArtifactPlugin({ rootDir: root }),
          new LoggingPlugin({ level: 'silent' }),
        ],
        cache: false,
      });
    const exp = make();
    await exp.run({ replicates: 1 });
    fail = true;
    // resume finds a reason to rerun (replicate count changed), then beforeRun throws
    await expect(exp.run({ replicates: 2, strategy: 'resume' })).rejects.toThrow(
      'beforeRun refused',
    );
    fail = false;
    await exp.run({ replicates: 1 });
    const log = readFileSync(join(root, 'no-stale-state', 'v0', 'run.log'), 'utf8');
    expect(log).not.toMatch(/resume: rerunning/);
  });
});
