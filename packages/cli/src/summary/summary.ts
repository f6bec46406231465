import type { HypothesisResult, Result } from '@crystallize/orchestrator';

/** One condition's statistics for one metric. */
export interface MetricRow {
  readonly condition: string;
  readonly mean: number;
  readonly sd: number;
  readonly n: number;
}

/** One test of a hypothesis: a treatment (and, for several metrics, which one) against the baseline. */
export interface HypothesisRow {
  readonly treatment: string;
  readonly metric: string | undefined;
  readonly statistic: number | undefined;
  readonly p: number | undefined;
  readonly adjustedP: number | undefined;
  readonly effectSize: number | undefined;
  readonly effectSizeName: string | undefined;
  readonly significant: boolean | undefined;
  /** 1 = best (lowest score); undefined when the treatment could not be ranked. */
  readonly rank: number | undefined;
}

export interface HypothesisSummary {
  readonly name: string;
  readonly best: string | undefined;
  readonly rows: readonly HypothesisRow[];
  readonly errors: Readonly<Record<string, string>>;
}

/** What the end of a run (and `show`) prints: per-metric statistics and the hypothesis table. */
export interface RunSummary {
  readonly experiment: string;
  readonly dir: string | undefined;
  readonly version: number | undefined;
  readonly conditions: readonly string[];
  readonly metrics: Readonly<Record<string, readonly MetricRow[]>>;
  readonly hypotheses: readonly HypothesisSummary[];
  /**
   * Where `show` took the hypotheses from: the run's `hypotheses.json` (`stored`), or verified
   * again over the stored metrics for a run stored before that file existed (`recomputed`).
   * Absent for a run that just finished.
   */
  readonly hypothesesSource?: 'stored' | 'recomputed';
  /** `{ 'baseline_rep_2': 'Step ... failed: ...' }` */
  readonly errors: Readonly<Record<string, string>>;
  /** Conditions taken from a stored run instead of running them. */
  readonly reused: readonly string[];
  /** Step calls answered from the cache, of all step calls (undefined when unknown). */
  readonly cache: { readonly hits: number; readonly calls: number } | undefined;
  readonly artifacts: Readonly<Record<string, readonly string[]>>;
}

function stats(values: readonly unknown[]): { mean: number; sd: number; n: number } {
  const xs = values.filter((v): v is number => typeof v === 'number');
  const n = xs.length;
  const mean = n ? xs.reduce((a, b) => a + b, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, sd, n };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function isTest(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' && v !== null && typeof (v as { p_value?: unknown }).p_value === 'number'
  );
}

/** The test objects inside a verifier output: itself, per metric, or per group. */
function tests(output: unknown): [string | undefined, Record<string, unknown>][] {
  if (isTest(output)) return [[undefined, output]];
  if (Array.isArray(output))
    return output.flatMap((o, i) =>
      tests(o).map(([m, t]) => [m ?? `group ${i}`, t] as [string, Record<string, unknown>]),
    );
  if (typeof output === 'object' && output !== null) {
    return Object.entries(output).filter((e): e is [string, Record<string, unknown>] =>
      isTest(e[1]),
    );
  }
  return [];
}

export function summarizeHypothesis(
  h: Pick<HypothesisResult, 'name' | 'ranking'> & {
    readonly results: Readonly<Record<string, unknown>>;
    readonly errors: Readonly<Record<string, string>>;
  },
): HypothesisSummary {
  const rankOf = new Map(h.ranking.ranked.map(([t], i) => [t, i + 1]));
  const rows: HypothesisRow[] = [];
  for (const [treatment, output] of Object.entries(h.results)) {
    const found = tests(output);
    const list: [string | undefined, Record<string, unknown> | undefined][] = found.length
      ? found
      : [[undefined, undefined]];
    for (const [metric, t] of list) {
      rows.push({
        treatment,
        metric,
        statistic: num(t?.['statistic']),
        p: num(t?.['p_value']),
        adjustedP: num(t?.['p_value_adjusted']),
        effectSize: num(t?.['effect_size']),
        effectSizeName:
          typeof t?.['effect_size_name'] === 'string'
            ? (t['effect_size_name'] as string)
            : undefined,
        significant:
          typeof t?.['significant_adjusted'] === 'boolean'
            ? (t['significant_adjusted'] as boolean)
            : typeof t?.['significant'] === 'boolean'
              ? (t['significant'] as boolean)
              : undefined,
        rank: rankOf.get(treatment),
      });
    }
  }
  rows.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
  return { name: h.name, best: h.ranking.best, rows, errors: { ...h.errors } };
}

/** Per-metric statistics of every condition, baseline first. */
export function metricRows(
  conditions: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>,
): Record<string, MetricRow[]> {
  const out: Record<string, MetricRow[]> = {};
  for (const [condition, metrics] of Object.entries(conditions)) {
    for (const [metric, values] of Object.entries(metrics)) {
      (out[metric] ??= []).push({ condition, ...stats(values) });
    }
  }
  return out;
}

/** The summary of a run that just finished. */
export function summarizeResult(
  result: Result,
  extra: { reused?: readonly string[]; version?: number } = {},
): RunSummary {
  const conditions: Record<string, Record<string, unknown[]>> = {
    baseline: result.metrics.baseline.metrics,
  };
  for (const [t, m] of Object.entries(result.metrics.treatments)) conditions[t] = m.metrics;
  let hits = 0;
  let calls = 0;
  const reused = new Set(extra.reused ?? []);
  for (const [condition, byRep] of Object.entries(result.provenance.ctxChanges)) {
    if (reused.has(condition)) continue; // taken from the stored run: nothing was called
    for (const records of Object.values(byRep)) {
      for (const r of records) {
        calls += 1;
        if (r.cacheHit) hits += 1;
      }
    }
  }
  const artifacts: Record<string, string[]> = {};
  for (const [c, list] of Object.entries(result.artifacts)) artifacts[c] = list.map((a) => a.path);
  return {
    experiment: result.experiment,
    dir: result.dir,
    version: extra.version,
    conditions: Object.keys(conditions),
    metrics: metricRows(conditions),
    hypotheses: result.metrics.hypotheses.map(summarizeHypothesis),
    errors: Object.fromEntries(Object.entries(result.errors).map(([k, e]) => [k, e.message])),
    reused: extra.reused ?? [],
    cache: calls ? { hits, calls } : undefined,
    artifacts,
  };
}

/** True when a replicate, condition or hypothesis failed (exit code 1). */
export function hasFailures(s: RunSummary): boolean {
  return (
    Object.keys(s.errors).length > 0 || s.hypotheses.some((h) => Object.keys(h.errors).length > 0)
  );
}
