import { type Workload } from '../src/harness.js';
import { BenchUsageError, parseOptions, selectWorkloads } from '../src/options.js';

const workload = (id: string, tier: 'warm' | 'cold'): Workload => ({
  id,
  tier,
  description: id,
  run: async () => undefined,
});
const WORKLOADS = [
  workload('W1', 'warm'),
  workload('W2E', 'warm'),
  workload('IMPORT', 'cold'),
  workload('W1', 'cold'),
  workload('W4', 'cold'),
];
const picked = (argv: string[]): string[] =>
  selectWorkloads(WORKLOADS, parseOptions(argv)).map((w) => `${w.tier}:${w.id}`);

describe('pnpm bench options', () => {
  it('runs both tiers by default, the warm tier first, 5 fresh processes per cold figure', () => {
    expect(picked([])).toEqual(['warm:W1', 'warm:W2E', 'cold:IMPORT', 'cold:W1', 'cold:W4']);
    expect(parseOptions([]).processes).toBe(5);
  });

  it('keeps --quick quick: 2 fresh processes per cold figure unless --processes says otherwise', () => {
    expect(parseOptions(['--quick'])).toMatchObject({ quick: true, processes: 2 });
    expect(parseOptions(['--quick', '--processes', '1']).processes).toBe(1);
    expect(parseOptions(['--processes=7']).processes).toBe(7);
  });

  it('runs one tier with --tier cold or --tier=warm', () => {
    expect(picked(['--tier', 'cold'])).toEqual(['cold:IMPORT', 'cold:W1', 'cold:W4']);
    expect(picked(['--tier=warm'])).toEqual(['warm:W1', 'warm:W2E']);
  });

  it('selects a workload id in every tier asked for, case-insensitively', () => {
    expect(picked(['w1'])).toEqual(['warm:W1', 'cold:W1']);
    expect(picked(['W1', '--tier', 'cold'])).toEqual(['cold:W1']);
  });

  it('names the known ids of each tier when an id is not in the tiers asked for', () => {
    expect(() => picked(['W2E', '--tier', 'cold'])).toThrow(BenchUsageError);
    expect(() => picked(['W2E', '--tier', 'cold'])).toThrow(
      'No workload W2E in tier cold; known ids (warm: W1, W2E; cold: IMPORT, W1, W4)',
    );
  });

  it('rejects an unknown tier, an unknown flag and a bad process count, showing the usage', () => {
    expect(() => parseOptions(['--tier', 'hot'])).toThrow("Unknown tier 'hot'");
    expect(() => parseOptions(['--fast'])).toThrow('Unknown option --fast. usage: pnpm bench');
    expect(() => parseOptions(['--processes', '0'])).toThrow('whole number ≥ 1');
    expect(() => parseOptions(['--tier'])).toThrow('--tier needs a value');
  });

  it('rejects --python with --tier warm: the Python anchor runs beside the cold tier', () => {
    expect(parseOptions(['--python']).python).toBe(true);
    expect(() => parseOptions(['--python', '--tier', 'warm'])).toThrow(
      'cannot be combined with --tier warm',
    );
  });
});
