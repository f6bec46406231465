import { main } from '../src/results.js';
import { tempDir } from './temp-dir.js';

describe('results example', () => {
  it('keeps going when a replicate fails and reports the step and cause', async () => {
    const s = await main(tempDir());
    expect(s.metrics.baseline).toEqual({ total: [10, 10, 10] });
    expect(s.metrics.flaky).toEqual({ total: [10, 10] });
    expect(s.errors).toEqual({
      flaky_rep_1: { step: 'Parse', message: "Step 'Parse' failed: malformed row in replicate 1" },
    });
  });

  it('prints a provenance tree, round-trips through JSON and applies the pipeline once', async () => {
    const s = await main(tempDir());
    expect(s.tree.split('\n').slice(0, 9)).toEqual([
      'baseline',
      '├─ Parse',
      '│  ├─ ran',
      '│  ├─ ran',
      '│  └─ ran',
      '└─ total',
      '   ├─ ran; wrote count; metrics total',
      '   ├─ ran; wrote count; metrics total',
      '   └─ ran; wrote count; metrics total',
    ]);
    expect(s.roundTrip).toEqual({ metricsEqual: true, errorIsTyped: true });
    expect(s.applied).toBe(60);
  });
});
