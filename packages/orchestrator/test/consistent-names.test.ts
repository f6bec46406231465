/*
 * Issue #11 point 6 (orchestrator part): one spelling of the unencodable policy, and a step
 * record's cache key named apart from `Step.stepHash` — with files written under the old name
 * still read back.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashValue } from '@crystallize/core';
import { ArtifactPlugin, Experiment, LoggingPlugin, Result } from '@crystallize/orchestrator';
import { readStoredRun } from '@crystallize/orchestrator/internal';
import { ProvenanceStore } from '../src/storage/provenance-store.js';
import { ComputeSum, FileStepCache, ScaleData, recordsOf, tempDir } from './helpers.js';

function experiment(root: string, onUnencodable?: 'error' | 'skip' | 'throw'): Experiment {
  return new Experiment({
    name: 'names',
    datasource: () => [1, 2, 3],
    pipeline: [ScaleData, ComputeSum],
    plugins: [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })],
    cache: new FileStepCache(),
    ...(onUnencodable ? { onUnencodable } : {}),
  });
}

describe('consistent names', () => {
  it("spells the unencodable policy 'error' like the cache, reading the deprecated 'throw' as 'error'", () => {
    expect(experiment(tempDir()).onUnencodable).toBe('error');
    expect(experiment(tempDir(), 'throw').onUnencodable).toBe('error');
    expect(experiment(tempDir(), 'skip').onUnencodable).toBe('skip');
  });

  it("calls a step record's cache key cacheKey, apart from the step's identity Step.stepHash", async () => {
    const root = tempDir();
    const exp = experiment(root);
    const result = await exp.run();
    const record = recordsOf(result)[0]![0]!;
    expect(record).not.toHaveProperty('stepHash');
    const step = exp.pipeline.steps[0]!;
    expect(record.cacheKey).toBe(
      hashValue({ step: step.name, stepHash: step.stepHash, params: { factor: 1 } }),
    );
    expect(record.cacheKey).not.toBe(step.stepHash);
    // Stored without the old name anywhere (the journal holds this run's provenance).
    expect(readFileSync(join(root, 'names', 'v0', 'journal.jsonl'), 'utf8')).not.toContain(
      '"stepHash"',
    );
    expect(
      readStoredRun(join(root, 'names', 'v0'))?.conditions['baseline']?.provenance[0]?.[0],
    ).toMatchObject({ cacheKey: record.cacheKey });
  });

  it('reads provenance files and saved results written under the old name stepHash', async () => {
    const hash = 'a'.repeat(64);
    const legacy = [
      JSON.stringify({
        format: 'crystallize-provenance/1',
        steps: [{ step: 'Old', stepHash: 'k1', params: {} }],
      }),
      JSON.stringify({ replicate: 0, ids: [0], hashes: hash + hash }),
      JSON.stringify({
        replicate: 1,
        records: [
          {
            step: 'Old',
            params: {},
            stepHash: 'k2',
            inputHash: 'x',
            outputHash: 'y',
            cacheHit: false,
            ctxChanges: { reads: [], wrote: {}, metrics: [] },
          },
        ],
      }),
    ].join('\n');
    const parsed = ProvenanceStore.parse(legacy);
    expect(parsed[0]![0]).toMatchObject({ step: 'Old', cacheKey: 'k1' });
    expect(parsed[1]![0]).toMatchObject({ step: 'Old', cacheKey: 'k2' });
    expect(parsed[1]![0]).not.toHaveProperty('stepHash');

    const result = await experiment(tempDir()).run();
    const saved = JSON.parse(JSON.stringify(result.toJSON())) as {
      provenance: { ctxChanges: Record<string, Record<string, Record<string, unknown>[]>> };
    };
    for (const reps of Object.values(saved.provenance.ctxChanges))
      for (const records of Object.values(reps))
        for (const r of records) {
          r['stepHash'] = r['cacheKey'];
          delete r['cacheKey'];
        }
    const back = Result.fromJSON(saved as unknown as Record<string, unknown>);
    expect(recordsOf(back)[0]![0]!.cacheKey).toBe(recordsOf(result)[0]![0]!.cacheKey);
  });
});
