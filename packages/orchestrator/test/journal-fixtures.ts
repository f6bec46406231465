/* Step records and replicate outcomes for the run journal's tests. */
import type { ReplicateOutcome } from '../src/model/outcome.js';
import type { StepRecord } from '../src/model/step-record.js';

/** A plain step record, with `over` applied. */
export const record = (over: Partial<StepRecord>): StepRecord => ({
  step: 'Add',
  params: {},
  cacheKey: 'a'.repeat(64),
  inputHash: 'b'.repeat(64),
  outputHash: 'c'.repeat(64),
  cacheHit: false,
  ctxChanges: { reads: [], wrote: {}, metrics: [] },
  ...over,
});

/** A one-condition replicate outcome whose one step took `ms` (a quick replicate by default). */
export const quick = (replicate: number, ms = 0.01): ReplicateOutcome => ({
  replicate,
  conditions: [
    {
      condition: 'baseline',
      replicate,
      seed: replicate,
      metrics: { y: [replicate] },
      records: [record({ durationMs: ms })],
      artifacts: [],
    },
  ],
});

/** The fingerprints `quick` outcomes are journalled with. */
export const fps = { baseline: { hash: 'fp' } };
