import type { TopLevelSpec } from 'vega-lite';
import { numericValues, summarize, thinToQuantiles } from '../analysis/metric-summary.js';

/** One column of a metric plot: a condition (of one run, in a comparison). */
export interface MetricColumn {
  /** Axis label: the condition, or `condition · v3` in a comparison. */
  readonly category: string;
  /** The run the column belongs to ('' when the report shows one run). */
  readonly series: string;
  readonly values: readonly unknown[];
}

export interface MetricPlotData {
  readonly spec: TopLevelSpec;
  /** Points drawn per column (after thinning) — what a reader of the SVG should find. */
  readonly pointsDrawn: ReadonlyMap<string, number>;
  /** Columns whose values were thinned to quantiles. */
  readonly thinned: readonly string[];
}

/** Layer names of a metric plot; in the SVG each layer's marks have the class `<name>_marks`. */
export const METRIC_MARKS = { points: 'points', means: 'means', cis: 'cis' } as const;

/**
 * Every column's values as jittered points, with the mean (a black diamond) and its 95% t
 * interval (a black bar). Columns with more than `maxPoints` values draw `maxPoints` evenly
 * spaced quantiles instead; mean and interval always come from all values.
 */
export function metricPlot(
  metric: string,
  columns: readonly MetricColumn[],
  maxPoints: number,
): MetricPlotData {
  const points: {
    category: string;
    series: string;
    value: number;
    jitter: number;
    label: string;
  }[] = [];
  const summaries: {
    category: string;
    series: string;
    mean: number;
    lo: number;
    hi: number;
    label: string;
  }[] = [];
  const pointsDrawn = new Map<string, number>();
  const thinned: string[] = [];
  for (const col of columns) {
    const xs = numericValues(col.values);
    const shown = thinToQuantiles(xs, maxPoints);
    if (shown.length < xs.length) thinned.push(col.category);
    pointsDrawn.set(col.category, shown.length);
    shown.forEach((value, i) => {
      // Deterministic jitter (golden-ratio sequence): the same run always draws the same plot.
      const jitter = ((i * 0.6180339887498949) % 1) - 0.5;
      points.push({
        category: col.category,
        series: col.series,
        value,
        jitter,
        label: `${col.category}: ${fmt(value)}`,
      });
    });
    const s = summarize(col.values);
    if (s.n > 0) {
      summaries.push({
        category: col.category,
        series: col.series,
        mean: s.mean,
        lo: Number.isFinite(s.ciLow) ? s.ciLow : s.mean,
        hi: Number.isFinite(s.ciHigh) ? s.ciHigh : s.mean,
        label: `${col.category}: mean ${fmt(s.mean)}, 95% CI ${fmt(s.ciLow)} to ${fmt(s.ciHigh)}`,
      });
    }
  }
  const categories = columns.map((c) => c.category);
  const x = {
    field: 'category',
    type: 'nominal',
    sort: categories,
    title: null,
    axis: { labelAngle: 0, labelLimit: 160 },
  } as const;
  const compare = columns.some((c) => c.series !== '');
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: { step: Math.max(90, Math.min(160, 600 / Math.max(1, columns.length))) },
    height: 240,
    layer: [
      {
        name: METRIC_MARKS.points,
        data: { values: points },
        mark: { type: 'circle', size: 34, opacity: 0.6 },
        encoding: {
          x,
          xOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-1.1, 1.1] } },
          y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
          color: compare
            ? { field: 'series', type: 'nominal', title: 'run' }
            : { value: '#4c78a8' },
          description: { field: 'label' },
        },
      },
      {
        name: METRIC_MARKS.cis,
        data: { values: summaries },
        mark: { type: 'rule', strokeWidth: 2.5, color: '#222' },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
          description: { field: 'label' },
        },
      },
      {
        name: METRIC_MARKS.means,
        data: { values: summaries },
        mark: {
          type: 'point',
          shape: 'diamond',
          filled: true,
          size: 90,
          color: '#222',
          opacity: 1,
        },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative' },
          description: { field: 'label' },
        },
      },
    ],
  } as unknown as TopLevelSpec;
  return { spec, pointsDrawn, thinned };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}
