import type { TopLevelSpec } from 'vega-lite';

export interface ForestRow {
  /** The treatment (and metric, for several tests) the row shows. */
  readonly row: string;
  /** The run the row belongs to ('' when the report shows one run). */
  readonly series: string;
  readonly effect: number;
  readonly ciLow: number | undefined;
  readonly ciHigh: number | undefined;
  readonly significant: boolean | undefined;
}

/** Layer names of a forest plot; in the SVG each layer's marks have the class `<name>_marks`. */
export const FOREST_MARKS = { effects: 'effects', cis: 'effect_cis', zero: 'zero' } as const;

/**
 * Effect sizes with their intervals, one row per treatment (and test), against a dashed line at
 * zero: an interval that crosses it is compatible with no effect. Open interval ends (one-sided
 * tests) are drawn to the plot's edge.
 */
export function forestPlot(rows: readonly ForestRow[], effectTitle: string): TopLevelSpec {
  const finite = rows.flatMap((r) =>
    [r.effect, r.ciLow, r.ciHigh].filter((v): v is number => v !== undefined && Number.isFinite(v)),
  );
  const lo = Math.min(0, ...finite);
  const hi = Math.max(0, ...finite);
  const pad = (hi - lo) * 0.05 || 1;
  const domain = [lo - pad, hi + pad];
  const clamp = (v: number): number =>
    Math.min(domain[1] as number, Math.max(domain[0] as number, v));
  const data = rows.map((r) => ({
    row: r.row,
    series: r.series,
    effect: r.effect,
    lo: r.ciLow === undefined ? undefined : clamp(r.ciLow),
    hi: r.ciHigh === undefined ? undefined : clamp(r.ciHigh),
    significance:
      r.significant === undefined ? 'unknown' : r.significant ? 'significant' : 'not significant',
    label: `${r.row}${r.series ? ` (${r.series})` : ''}: ${effectTitle} ${fmt(r.effect)}${
      r.ciLow !== undefined && r.ciHigh !== undefined
        ? `, CI ${fmt(r.ciLow)} to ${fmt(r.ciHigh)}`
        : ''
    }`,
  }));
  const compare = rows.some((r) => r.series !== '');
  const y = {
    field: 'row',
    type: 'nominal',
    sort: [...new Set(rows.map((r) => r.row))],
    title: null,
    axis: { labelLimit: 220 },
  } as const;
  const yOffset = compare ? { yOffset: { field: 'series', type: 'nominal' } } : {};
  const x = { type: 'quantitative', scale: { domain, nice: false }, title: effectTitle } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 440,
    height: { step: compare ? 18 : 30 },
    layer: [
      {
        name: FOREST_MARKS.zero,
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
        encoding: { x: { field: 'zero', ...x } },
      },
      {
        name: FOREST_MARKS.cis,
        data: { values: data.filter((d) => d.lo !== undefined && d.hi !== undefined) },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y,
          ...yOffset,
          x: { field: 'lo', ...x },
          x2: { field: 'hi' },
          color: colour(compare),
          description: { field: 'label' },
        },
      },
      {
        name: FOREST_MARKS.effects,
        data: { values: data },
        mark: { type: 'point', filled: true, size: 80, opacity: 1 },
        encoding: {
          y,
          ...yOffset,
          x: { field: 'effect', ...x },
          color: colour(compare),
          shape: {
            field: 'significance',
            type: 'nominal',
            title: null,
            scale: {
              domain: ['significant', 'not significant', 'unknown'],
              range: ['circle', 'square', 'cross'],
            },
          },
          description: { field: 'label' },
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

function colour(compare: boolean): Record<string, unknown> {
  return compare ? { field: 'series', type: 'nominal', title: 'run' } : { value: '#2f6f9f' };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : v > 0 ? '∞' : '−∞';
}
