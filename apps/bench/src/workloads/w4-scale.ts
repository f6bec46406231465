/**
 * W4: the W1 experiment at R = 10,000 and 20,000 replicates, each run in a fresh process so its
 * peak RSS is its own. The plain baseline is the bare loop in a fresh process (Node's own RSS).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { line, summarise, type BenchContext, type Summary, type Workload } from '../harness.js';

const CHILD = fileURLToPath(new URL('./w4-child.js', import.meta.url));

function sample(mode: string, replicates: number): { ms: number; maxRssMb: number } {
  // Started through a small shell that forks it: on these machines a child's peak RSS includes
  // what its parent held at fork time, and this benchmark process is large after W2.
  const out = execFileSync(
    'sh',
    ['-c', '"$0" "$@"; exit $?', process.execPath, CHILD, mode, String(replicates)],
    {
      encoding: 'utf8',
      env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent' },
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as { ms: number; maxRssMb: number };
}

function series(mode: string, replicates: number, runs: number): { ms: Summary; rss: Summary } {
  const samples = Array.from({ length: runs }, () => sample(mode, replicates));
  return {
    ms: summarise(samples.map((s) => s.ms)),
    rss: summarise(samples.map((s) => s.maxRssMb)),
  };
}

export const w4Scale: Workload = {
  id: 'W4',
  description: 'W1 at R = 10k and 20k replicates: wall time and peak RSS, fresh process each',
  async run(ctx: BenchContext): Promise<void> {
    const sizes = ctx.quick ? [100, 200] : [10_000, 20_000];
    const runs = Math.max(5, Math.min(ctx.runs, 5));
    const results = sizes.map((r) => ({
      r,
      ours: series('framework', r, runs),
      plain: series('plain', r, runs),
    }));
    for (const { r, ours, plain } of results) {
      ctx.emit(line('W4', 'wall_ms', 'ms', ours.ms, plain.ms, { replicates: r }));
      ctx.emit(
        line('W4', 'peak_rss_mb', 'MB', ours.rss, plain.rss, {
          replicates: r,
          target_mb_at_10k: 100,
        }),
      );
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
  },
};
