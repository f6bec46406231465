/**
 * W2 through the experiment: one cacheable step mapping 1,000,000 floats (`x * 1.5 + 1`),
 * 5 replicates with distinct inputs; cold run (empty cache) vs warm run (all hits), for
 * Float64Array and number[]. Plain baseline: the same 5 maps in a bare loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Experiment } from 'crystallize';
import { line, measure, type BenchContext, type Workload } from '../harness.js';
import {
  W2_REPLICATES as REPLICATES,
  w2Experiment,
  w2Input as input,
  w2Plain,
} from './w2-steps.js';

export const w2ExperimentWorkload: Workload = {
  id: 'W2E',
  tier: 'warm',
  description:
    'W2 through an experiment: cold vs warm run of a cacheable 1M-float step, 5 replicates',
  async run(ctx: BenchContext): Promise<void> {
    const n = ctx.quick ? 10_000 : 1_000_000;
    for (const typed of [true, false]) {
      const kind = typed ? 'Float64Array' : 'number[]';
      const root = mkdtempSync(join(tmpdir(), 'cz-bench-w2e-'));
      let cacheDir = join(root, 'cache-0');
      let fresh = 0;
      const make = (dir: string): Experiment => w2Experiment(n, typed, root, dir);
      try {
        const cold = await measure(
          () => make(join(root, `cache-${++fresh}`)).run({ replicates: REPLICATES }),
          { runs: ctx.runs, warmup: 1 },
        );
        cacheDir = join(root, 'warm');
        const warmExp = make(cacheDir);
        await warmExp.run({ replicates: REPLICATES });
        const warm = await measure(() => warmExp.run({ replicates: REPLICATES }), {
          runs: ctx.runs,
          warmup: 1,
        });
        const plain = await measure(() => w2Plain(n, typed), { runs: ctx.runs, warmup: 1 });
        const perRep = (s: typeof warm) => ({
          median: s.median / REPLICATES,
          min: s.min / REPLICATES,
          max: s.max / REPLICATES,
          runs: s.runs,
        });
        ctx.emit(line('W2', 'cold_run_ms', 'ms', cold, plain, { kind, n, replicates: REPLICATES }));
        ctx.emit(line('W2', 'warm_run_ms', 'ms', warm, plain, { kind, n, replicates: REPLICATES }));
        ctx.emit(
          line('W2', 'warm_ms_per_hit', 'ms', perRep(warm), perRep(plain), {
            kind,
            n,
            target_ms: typed ? 15 : 30,
            note: 'whole warm replicate: datasource + input hash + cache read/verify/decode',
          }),
        );
        // The inputs alone, so the cache's part can be told apart from making the data.
        const inputsOnly = await measure(
          () => {
            for (let r = 0; r < REPLICATES; r++) input(n, r, typed);
          },
          { runs: ctx.runs, warmup: 1 },
        );
        const less = (s: typeof warm) => ({
          median: (s.median - inputsOnly.median) / REPLICATES,
          min: (s.min - inputsOnly.median) / REPLICATES,
          max: (s.max - inputsOnly.median) / REPLICATES,
          runs: s.runs,
        });
        ctx.emit(
          line('W2', 'hit_ms_excluding_inputs', 'ms', less(warm), undefined, {
            kind,
            n,
            target_ms: typed ? 15 : 30,
            note: 'warm replicate minus making its input: hash the input, cache read/verify/decode, provenance',
          }),
        );
        ctx.emit(
          line('W2', 'miss_ms_excluding_inputs', 'ms', less(cold), undefined, {
            kind,
            n,
            note: 'cold replicate minus making its input: hash input, compute, hash output, encode and write',
          }),
        );
        ctx.emit({
          bench: 'W2',
          metric: 'cold_over_warm',
          value: Number((cold.median / warm.median).toFixed(3)),
          unit: 'x',
          excluding_inputs: Number(
            ((cold.median - inputsOnly.median) / (warm.median - inputsOnly.median)).toFixed(3),
          ),
          inputs_ms: Number(inputsOnly.median.toFixed(2)),
          kind,
          n,
          target: 5,
        });
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  },
};
