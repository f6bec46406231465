/**
 * W4 (cold tier): the W1 experiment at R = 10,000 and 20,000 replicates, each run in a fresh
 * process so its peak RSS is its own: `run()` time, peak RSS and the whole process. The plain
 * baseline is the bare loop in a fresh process (Node's own RSS). With `--python`, the Python
 * anchor at 10k beside it.
 */
import { line, type BenchContext, type Summary, type Workload } from '../harness.js';
import { COLD_CHILD as CHILD, type FreshRun, runFresh } from '../cold/fresh-process.js';
import { pythonParams, runAnchor } from '../cold/python-anchor.js';
import { over, series, vsPython } from '../cold/samples.js';

// Started through `sh`: a child's peak RSS includes what its parent held at fork time, and this
// benchmark process is large after W2.
function sample(mode: 'w1' | 'w1-plain', replicates: number): FreshRun {
  return runFresh(process.execPath, [CHILD, mode, String(replicates)], { viaShell: true });
}

interface Scale {
  readonly ms: Summary;
  readonly rss: Summary;
  readonly whole: Summary;
}

function scale(runs: readonly FreshRun[]): Scale {
  return { ms: over(runs, 'run_ms'), rss: over(runs, 'max_rss_mb'), whole: over(runs, 'wall') };
}

export const w4Scale: Workload = {
  id: 'W4',
  tier: 'cold',
  description: 'W1 at R = 10k and 20k replicates: run() time and peak RSS, fresh process each',
  async run(ctx: BenchContext): Promise<void> {
    const sizes = ctx.quick ? [100, 200] : [10_000, 20_000];
    const runs = ctx.processes;
    const ourRuns: Record<number, FreshRun[]> = {};
    const results = sizes.map((r) => ({
      r,
      ours: scale((ourRuns[r] = series(runs, () => sample('w1', r)))),
      plain: scale(series(runs, () => sample('w1-plain', r))),
    }));
    for (const { r, ours, plain } of results) {
      ctx.emit(
        line('W4', 'wall_ms', 'ms', ours.ms, plain.ms, {
          replicates: r,
          includes: 'exp.run() only',
          // CPU time of run() (all threads): on a shared machine, steadier than its wall time.
          run_cpu_ms_median: Number(over(ourRuns[r] ?? [], 'run_cpu_ms').median.toFixed(1)),
        }),
      );
      ctx.emit(
        line('W4', 'peak_rss_mb', 'MB', ours.rss, plain.rss, {
          replicates: r,
          target_mb_at_10k: 100,
        }),
      );
      ctx.emit(line('W4', 'whole_process_ms', 'ms', ours.whole, plain.whole, { replicates: r }));
    }
    const [small, large] = results;
    if (small && large) {
      ctx.emit({
        bench: 'W4',
        metric: 'scaling_ratio_20k_over_10k',
        value: Number((large.ours.ms.median / small.ours.ms.median).toFixed(3)),
        unit: 'x',
        time_ratio: Number((large.ours.ms.median / small.ours.ms.median).toFixed(3)),
        rss_over_node_ratio: Number(
          (
            (large.ours.rss.median - large.plain.rss.median) /
            (small.ours.rss.median - small.plain.rss.median)
          ).toFixed(3),
        ),
        target_time_ratio: 2.1,
      });
    }

    const anchor = ctx.python;
    if (!anchor || !small) return;
    const py = scale(
      series(runs, () => runAnchor(anchor, 'w1.py', [String(small.r)], { viaShell: true })),
    );
    const params = { replicates: small.r, ...pythonParams(anchor) };
    ctx.emit(line('W4', 'wall_ms', 'ms', py.ms, undefined, params));
    ctx.emit(line('W4', 'peak_rss_mb', 'MB', py.rss, undefined, params));
    ctx.emit(line('W4', 'whole_process_ms', 'ms', py.whole, undefined, params));
    ctx.emit(
      vsPython('W4', 'wall_ms', small.ours.ms, py.ms, 'lower', { replicates: small.r, target: 25 }),
    );
    ctx.emit(
      vsPython('W4', 'peak_rss_mb', small.ours.rss, py.rss, 'lower', { replicates: small.r }),
    );
  },
};
