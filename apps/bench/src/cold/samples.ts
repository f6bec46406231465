/**
 * Turning fresh-process samples into cold-tier figures: series of processes, their summaries,
 * the bare-interpreter baselines, and the `vs_python` line that sets a figure beside Python's.
 */
import { summarise, type BenchLine, type BenchContext, type Summary } from '../harness.js';
import { reported, runFresh, type FreshRun } from './fresh-process.js';
import { runPython } from './python-anchor.js';

/** `count` fresh processes, one after another. */
export function series(count: number, sample: () => FreshRun): FreshRun[] {
  return Array.from({ length: count }, sample);
}

/** The summary of one reported number (or of the wall time, `wall`) over a series. */
export function over(runs: readonly FreshRun[], key: string | 'wall'): Summary {
  return summarise(runs.map((r) => (key === 'wall' ? r.wallMs : reported(r, key))));
}

/** A summary with every figure mapped by `f` (which must keep the order, e.g. a scale). */
export function scaled(s: Summary, f: (x: number) => number): Summary {
  return { median: f(s.median), min: f(s.min), max: f(s.max), runs: s.runs };
}

const bare = new Map<string, Summary>();

/** Whole-process time of a bare `node -e 0`, measured once per bench invocation. */
export function bareNode(ctx: BenchContext): Summary {
  let s = bare.get('node');
  if (!s) {
    runFresh(process.execPath, ['-e', '0'], { report: false }); // page cache
    s = over(
      series(ctx.processes, () => runFresh(process.execPath, ['-e', '0'], { report: false })),
      'wall',
    );
    bare.set('node', s);
  }
  return s;
}

/** Whole-process time of a bare `python3 -c pass`, measured once per bench invocation. */
export function barePython(ctx: BenchContext): Summary | undefined {
  const anchor = ctx.python;
  if (!anchor) return undefined;
  let s = bare.get('python');
  if (!s) {
    s = over(
      series(ctx.processes, () => runPython(anchor, ['-c', 'pass'])),
      'wall',
    );
    bare.set('python', s);
  }
  return s;
}

const round = (x: number): number => Number(x.toPrecision(4));

/**
 * How many times better our median is than Python's for one figure: Python ÷ ours where lower
 * is better (time, memory), ours ÷ Python where higher is better (speedup).
 */
export function vsPython(
  bench: string,
  figure: string,
  ours: Summary,
  python: Summary,
  better: 'lower' | 'higher',
  params: Record<string, string | number | boolean> = {},
): BenchLine {
  const ratio = better === 'lower' ? python.median / ours.median : ours.median / python.median;
  return {
    bench,
    metric: 'vs_python',
    value: round(ratio),
    unit: 'x',
    figure,
    ours_median: round(ours.median),
    python_median: round(python.median),
    meaning: better === 'lower' ? 'python / ours' : 'ours / python',
    ...params,
  };
}
