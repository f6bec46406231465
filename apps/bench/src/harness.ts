/**
 * The benchmark harness every workload uses: time a function several times, summarise the
 * samples, and print one JSON object per line. Each figure sits beside a plain baseline (the
 * same work without the framework) measured in the same process, so ratios survive noise.
 */

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export interface MeasureOptions {
  /** Timed runs (at least 5 for reported figures). */
  readonly runs?: number;
  /** Untimed runs first, to warm JIT and page cache. */
  readonly warmup?: number;
}

/**
 * `warm`: a workload run several times in one process after warm-up runs (JIT hot, lazy modules
 * loaded). `cold`: every figure from fresh processes, what a script or CLI user feels.
 */
export type Tier = 'warm' | 'cold';

export const TIERS: readonly Tier[] = ['warm', 'cold'];

export interface BenchContext {
  /** Tiny sizes for the CI smoke run (`--quick`): proves the workload runs, not how fast. */
  readonly quick: boolean;
  /** Timed runs per figure in one process (warm tier). */
  readonly runs: number;
  /** Fresh processes per figure (cold tier). */
  readonly processes: number;
  /** The Python crystallize-ml anchor to run side by side (cold tier, `--python`), if any. */
  readonly python?: PythonAnchor;
  /** Prints one result line. */
  emit(line: BenchLine): void;
}

/** Where the Python crystallize-ml anchor runs from (see `cold/python-anchor.ts`). */
export interface PythonAnchor {
  /** The interpreter (Debian's `/usr/bin/python3` by default, `CZ_PYTHON` overrides). */
  readonly python: string;
  /** The crystallize-ml checkout (`CZ_SRC`), put on `PYTHONPATH`. */
  readonly src: string;
  /** This app's `python/` folder of anchor scripts. */
  readonly scripts: string;
  /** crystallize-ml's version, from the checkout's pyproject.toml. */
  readonly version: string;
  /** Whether numpy imports (the `Float64Array` analogue of W2). */
  readonly numpy: boolean;
}

export interface BenchLine {
  readonly bench: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly [param: string]: string | number | boolean;
}

export interface Workload {
  /** BENCH.md id, e.g. `W2` (`IMPORT` for the import figure). */
  readonly id: string;
  readonly tier: Tier;
  readonly description: string;
  run(ctx: BenchContext): Promise<void>;
}

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 ? sorted[mid]! : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return {
    median,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    runs: sorted.length,
  };
}

/** Milliseconds per call of `fn`, `runs` times after `warmup` untimed calls. */
export async function measure(
  fn: () => unknown,
  { runs = 7, warmup = 1 }: MeasureOptions = {},
): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarise(samples);
}

/** Turns a latency summary (ms per call over `bytes`) into a throughput summary in MB/s. */
export function throughput(ms: Summary, bytes: number): Summary {
  const mbps = (t: number): number => bytes / 1e6 / (t / 1000);
  return { median: mbps(ms.median), min: mbps(ms.max), max: mbps(ms.min), runs: ms.runs };
}

const round = (x: number): number => Number(x.toPrecision(4));

/**
 * One result line: the median as `value`, its min–max, and the plain baseline's median with
 * `baseline_ratio` = ours / baseline (above 1 means more MB/s, or more ms, than the baseline).
 */
export function line(
  bench: string,
  metric: string,
  unit: string,
  ours: Summary,
  baseline: Summary | undefined,
  params: Record<string, string | number | boolean> = {},
): BenchLine {
  return {
    bench,
    metric,
    value: round(ours.median),
    unit,
    median: round(ours.median),
    min: round(ours.min),
    max: round(ours.max),
    runs: ours.runs,
    ...(baseline
      ? {
          baseline_median: round(baseline.median),
          baseline_min: round(baseline.min),
          baseline_max: round(baseline.max),
          baseline_ratio: round(ours.median / baseline.median),
        }
      : {}),
    ...params,
  };
}
