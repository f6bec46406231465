import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Look shared by every plot: the page's font, no chart border, quiet axes. */
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  background: 'white',
} as const;

/**
 * Renders a vega-lite spec to a standalone SVG string, at build time, on Node: vega's headless
 * View (`renderer: 'none'`) writes SVG markup without a browser, a DOM or a canvas, and loads
 * nothing (all data is inline).
 */
export async function renderSvg(spec: TopLevelSpec, title: string): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CONFIG, ...spec.config } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    // No loader may fetch: a spec with a URL would make the report depend on the network.
    loader: vega.loader({ mode: 'file', baseURL: '/nonexistent' }),
    logLevel: vega.Error,
  });
  try {
    const svg = await view.toSVG();
    // A readable name for assistive technology; role="img" keeps the label on the figure.
    return svg.replace('<svg ', `<svg role="img" aria-label="${escapeAttr(title)}" `);
  } finally {
    view.finalize();
  }
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
