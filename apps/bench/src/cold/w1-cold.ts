/**
 * Cold tier, W1: the first `run()` of a fresh process at R = 2,000 (µs per step call, `run()`
 * only) and the whole process (start, import, run, exit), against a bare `node -e 0`.
 */
import { line, type BenchContext, type Workload } from '../harness.js';
import { COLD_CHILD as CHILD, runFresh } from './fresh-process.js';
import { pythonParams, runAnchor } from './python-anchor.js';
import { bareNode, barePython, over, scaled, series, vsPython } from './samples.js';

const STEPS = 10;

export const w1Cold: Workload = {
  id: 'W1',
  tier: 'cold',
  description: 'first run() of a fresh process, 2 conditions x R = 2,000 x 10 trivial steps',
  async run(ctx: BenchContext): Promise<void> {
    const replicates = ctx.quick ? 20 : 2000;
    const calls = 2 * replicates * STEPS;
    const perCall = (ms: number): number => (ms * 1000) / calls;
    const bare = bareNode(ctx);
    const runs = series(ctx.processes, () =>
      runFresh(process.execPath, [CHILD, 'w1', String(replicates)]),
    );
    const plain = series(ctx.processes, () =>
      runFresh(process.execPath, [CHILD, 'w1-plain', String(replicates)]),
    );
    const params = { replicates, step_calls: calls };
    const firstRun = scaled(over(runs, 'run_ms'), perCall);
    const whole = over(runs, 'wall');
    ctx.emit(
      line(
        'W1',
        'first_run_us_per_step_call',
        'us',
        firstRun,
        scaled(over(plain, 'run_ms'), perCall),
        {
          ...params,
          run_ms_median: Number(over(runs, 'run_ms').median.toFixed(1)),
          // CPU time of run() (all threads): on a shared machine, steadier than its wall time.
          run_cpu_ms_median: Number(over(runs, 'run_cpu_ms').median.toFixed(1)),
          baseline: 'the bare loop, first call in a fresh process',
          includes: 'exp.run() only',
        },
      ),
    );
    ctx.emit(
      line('W1', 'whole_process_ms', 'ms', whole, bare, {
        ...params,
        baseline: 'bare node -e 0, whole process',
      }),
    );

    const anchor = ctx.python;
    const pyBare = barePython(ctx);
    if (!anchor || !pyBare) return;
    const py = series(ctx.processes, () => runAnchor(anchor, 'w1.py', [String(replicates)]));
    const pyFirstRun = scaled(over(py, 'run_ms'), perCall);
    const pyWhole = over(py, 'wall');
    ctx.emit(
      line('W1', 'first_run_us_per_step_call', 'us', pyFirstRun, undefined, {
        ...params,
        ...pythonParams(anchor),
        run_ms_median: Number(over(py, 'run_ms').median.toFixed(1)),
      }),
    );
    ctx.emit(
      line('W1', 'whole_process_ms', 'ms', pyWhole, pyBare, {
        ...params,
        ...pythonParams(anchor),
        baseline: 'bare python3 -c pass, whole process',
      }),
    );
    ctx.emit(
      vsPython('W1', 'first_run_us_per_step_call', firstRun, pyFirstRun, 'lower', { target: 20 }),
    );
    ctx.emit(vsPython('W1', 'whole_process_ms', whole, pyWhole, 'lower', { target: 10 }));
  },
};
