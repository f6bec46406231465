/**
 * W1: framework time per step call — (experiment run time − plain loop time) / step calls,
 * for 2 conditions × R replicates × 10 trivial steps, serial, default plugins.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { line, measure, type BenchContext, type Workload } from '../harness.js';
import { STEPS, w1Plain } from './w1-plain.js';
import { w1Experiment } from './w1-steps.js';

export const w1Overhead: Workload = {
  id: 'W1',
  tier: 'warm',
  description:
    'framework overhead per step call (2 conditions x R replicates x 10 trivial steps, serial)',
  async run(ctx: BenchContext): Promise<void> {
    const replicates = ctx.quick ? 20 : 2000;
    const root = mkdtempSync(join(tmpdir(), 'cz-bench-w1-'));
    try {
      const exp = w1Experiment(root);
      const ours = await measure(() => exp.run({ replicates }), { runs: ctx.runs, warmup: 2 });
      const plain = await measure(() => w1Plain(replicates), { runs: ctx.runs, warmup: 2 });
      const calls = 2 * replicates * STEPS;
      const perCall = (ms: number): number => ((ms - plain.median) * 1000) / calls;
      ctx.emit(
        line(
          'W1',
          'framework_us_per_step_call',
          'us',
          {
            median: perCall(ours.median),
            min: perCall(ours.min),
            max: perCall(ours.max),
            runs: ours.runs,
          },
          undefined,
          {
            replicates,
            step_calls: calls,
            run_ms_median: Number(ours.median.toFixed(2)),
            plain_ms_median: Number(plain.median.toFixed(4)),
            target_us: 1.5,
          },
        ),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
