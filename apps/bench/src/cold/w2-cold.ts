/**
 * Cold tier, W2: in a fresh process, a first `run()` fills the cache; the second `run()` of the
 * same experiment (every replicate a cache hit) is timed; per hit = its time ÷ 5 replicates.
 * `Float64Array` and `number[]` (Python: numpy array when numpy imports, and list).
 */
import { line, type BenchContext, type Workload } from '../harness.js';
import { runFresh, COLD_CHILD as CHILD } from './fresh-process.js';
import { pythonParams, runAnchor } from './python-anchor.js';
import { over, scaled, series, vsPython } from './samples.js';

const REPLICATES = 5;
const KINDS = [
  { kind: 'Float64Array', python: 'ndarray', target_ms: 10 },
  { kind: 'number[]', python: 'list', target_ms: 30 },
] as const;

export const w2Cold: Workload = {
  id: 'W2',
  tier: 'cold',
  description: 'cache hit on a warm second run() of a fresh process, 1M floats, 5 replicates',
  async run(ctx: BenchContext): Promise<void> {
    const n = ctx.quick ? 10_000 : 1_000_000;
    const perHit = (ms: number): number => ms / REPLICATES;
    for (const { kind, python, target_ms } of KINDS) {
      const runs = series(ctx.processes, () =>
        runFresh(process.execPath, [CHILD, 'w2', String(n), kind]),
      );
      const ours = scaled(over(runs, 'run_ms'), perHit);
      const params = { kind, n, replicates: REPLICATES };
      ctx.emit(
        line('W2', 'second_run_ms_per_hit', 'ms', ours, scaled(over(runs, 'plain_ms'), perHit), {
          ...params,
          target_ms,
          baseline: 'making and mapping the input in a bare loop, same process',
          includes: 'the second exp.run() only: datasource, input hash, cache read/verify/decode',
        }),
      );
      ctx.emit(line('W2', 'first_run_ms', 'ms', over(runs, 'first_run_ms'), undefined, params));

      const anchor = ctx.python;
      if (!anchor) continue;
      if (python === 'ndarray' && !anchor.numpy) {
        process.stderr.write('# W2 (python): numpy does not import; no ndarray anchor\n');
        continue;
      }
      const py = series(ctx.processes, () => runAnchor(anchor, 'w2.py', [String(n), python]));
      const pyHit = scaled(over(py, 'run_ms'), perHit);
      const pyParams = { ...params, ...pythonParams(anchor), python_kind: python };
      ctx.emit(line('W2', 'second_run_ms_per_hit', 'ms', pyHit, undefined, pyParams));
      ctx.emit(line('W2', 'first_run_ms', 'ms', over(py, 'first_run_ms'), undefined, pyParams));
      ctx.emit(vsPython('W2', 'second_run_ms_per_hit', ours, pyHit, 'lower', { kind }));
    }
  },
};
