import { cancelKey, jobId, pack, runKey, unpack } from '../src/job-format.js';
import type { RunSpec } from '../src/orchestrator-bridge.js';

const spec = (over: Partial<RunSpec> = {}): RunSpec => ({
  id: 'x',
  module: 'file:///repo/exp.ts',
  experiment: 'exp',
  treatments: [{ name: 'double', values: { scale: 2 } }],
  baselineTreatment: undefined,
  conditions: ['baseline', 'double'],
  replicates: 4,
  verbose: false,
  runDir: '/repo/data/exp/v0',
  steps: [{ name: 'Noisy', fingerprint: 'abc', paramTypes: {} }],
  identity: [{ part: 'seed', value: '{seed:42}', shown: '{seed:42}' }],
  ...over,
});

describe('job format', () => {
  it('gives the same run the same key, whatever process or moment submits it', () => {
    const carry = { mode: 'carry', maxBytes: 10 } as const;
    expect(runKey(spec(), 'exp.ts', carry)).toBe(runKey(spec({ id: 'other-id' }), 'exp.ts', carry));
  });

  it.each([
    [
      'a step whose code changed',
      { steps: [{ name: 'Noisy', fingerprint: 'abd', paramTypes: {} }] },
    ],
    ['another treatment value', { treatments: [{ name: 'double', values: { scale: 3 } }] }],
    ['another number of replicates', { replicates: 5 }],
    ['another configuration', { identity: [{ part: 'seed', value: '{seed:1}', shown: '' }] }],
  ])('gives a new key to %s', (_what, over) => {
    const carry = { mode: 'carry', maxBytes: 10 } as const;
    expect(runKey(spec(over as Partial<RunSpec>), 'exp.ts', carry)).not.toBe(
      runKey(spec(), 'exp.ts', carry),
    );
  });

  it('keys a shared-transport run by its folder, a carried one not (each submitter stores its own copy)', () => {
    const carry = { mode: 'carry', maxBytes: 10 } as const;
    expect(runKey(spec({ runDir: '/repo/data-b/exp/v0' }), 'exp.ts', carry)).toBe(
      runKey(spec(), 'exp.ts', carry),
    );
    expect(runKey(spec(), 'exp.ts', { mode: 'shared', runDir: 'data/exp/v1' })).not.toBe(
      runKey(spec(), 'exp.ts', { mode: 'shared', runDir: 'data/exp/v0' }),
    );
  });

  it('makes job ids without ":" (BullMQ refuses them in custom ids)', () => {
    const id = jobId(runKey(spec(), 'exp.ts', { mode: 'none' }), 12);
    expect(id).toMatch(/^cz-[0-9a-f]{24}-r12$/);
    expect(id).not.toContain(':');
    expect(cancelKey('bull', 'q', 'abc')).toBe('bull:q:crystallize-cancelled:abc');
  });

  it('carries values JSON cannot (NaN, -0, bigint, Map, typed arrays) exactly', () => {
    const value = {
      a: [Number.NaN, -0, 10n ** 20n],
      m: new Map([[1, 'x']]),
      t: new Float64Array([1.5]),
    };
    expect(unpack(pack(value))).toEqual(value);
    expect(Object.is((unpack(pack([-0])) as number[])[0], -0)).toBe(true);
  });
});
