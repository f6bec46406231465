import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Result } from '@crystallize/orchestrator';
import { runEnvironment } from './input/environment.js';
import { runDataFromResult } from './input/from-result.js';
import type { RunData } from './input/run-data.js';
import { readStoredRun } from './input/stored-run.js';
import type { StepTimings } from './input/step-usage.js';
import { errorsSection } from './html/errors-section.js';
import { hypothesesSection } from './html/hypotheses-section.js';
import { esc } from './html/markup.js';
import { metadataSection } from './html/metadata-section.js';
import { metricsSection } from './html/metrics-section.js';
import { page } from './html/page.js';
import type { ReportRun } from './html/report-run.js';
import { stepsSection } from './html/steps-section.js';
import { ReportError } from './report-error.js';

/** A run to report: a `Result` of `exp.run()`, or a stored run folder (`<root>/<exp>/v<N>`, or `<root>/<exp>` for its newest version). */
export type ReportInput = Result | string;

export interface ReportOptions {
  /** A second run shown side by side (metrics and hypotheses), e.g. another stored version. */
  readonly compare?: ReportInput;
  /**
   * Most points drawn per condition in a metric plot (default 1000). Larger conditions draw
   * that many evenly spaced quantiles; means, intervals and tables use every value.
   */
  readonly maxPointsPerCondition?: number;
  /** Step times per step name, when they were recorded elsewhere than `step-timings.json`. */
  readonly timings?: StepTimings;
  /** Page title (default: `Experiment report: <name>`). */
  readonly title?: string;
}

export interface WriteReportOptions extends ReportOptions {
  /** Where to write the HTML file (folders are created). */
  readonly file: string;
}

export const DEFAULT_MAX_POINTS = 1000;

/**
 * The report of a run as one self-contained HTML page: no script, no external file, plots
 * pre-rendered as inline SVG; it opens from `file://`, works with JavaScript off and prints.
 * @example
 * const html = await renderReport(result);                         // a Result
 * const html2 = await renderReport('data/demo/v3', { compare: 'data/demo/v2' });
 */
export async function renderReport(
  input: ReportInput,
  options: ReportOptions = {},
): Promise<string> {
  const maxPoints = options.maxPointsPerCondition ?? DEFAULT_MAX_POINTS;
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new ReportError(
      `renderReport: maxPointsPerCondition must be an integer >= 2, got ${String(maxPoints)}.`,
    );
  }
  const data = [toRunData(input, options.timings, 'input')];
  if (options.compare !== undefined) data.push(toRunData(options.compare, undefined, 'compare'));
  const labels = runLabels(data);
  const runs: ReportRun[] = data.map((d, i) => ({
    data: d,
    env: runEnvironment(d.dir),
    label: labels[i] as string,
  }));
  const first = data[0] as RunData;
  const title =
    options.title ??
    (runs.length > 1
      ? `Experiment report: ${first.experiment} — ${labels.join(' vs ')}`
      : `Experiment report: ${first.experiment}`);
  const subtitle =
    runs.length > 1
      ? `Comparing ${runs.map((r) => `${r.label} (${r.data.experiment})`).join(' and ')}`
      : `${first.version === undefined ? 'unstored run' : `v${first.version}`} · ${first.replicates} replicate(s) × ${first.conditions.length} condition(s)${first.date ? ` · ${first.date}` : ''}`;
  const body = [
    metadataSection(runs),
    await metricsSection(runs, maxPoints),
    await hypothesesSection(runs),
    stepsSection(runs),
    errorsSection(runs),
  ].join('\n');
  return page({
    title,
    subtitle,
    nav: [
      ['run', 'Run'],
      ['metrics', 'Metrics'],
      ['hypotheses', 'Hypotheses'],
      ['steps', 'Steps'],
      ['errors', 'Errors'],
    ],
    body,
    footer: `Written by <code>@crystallize/report</code> on ${esc(new Date().toISOString())}. Plots: vega-lite, rendered to SVG when the report was written.`,
  });
}

/**
 * Writes {@link renderReport}'s page to `file` and returns its absolute path.
 * @example await writeReport(result, { file: 'report.html' })
 */
export async function writeReport(
  input: ReportInput,
  options: WriteReportOptions,
): Promise<string> {
  if (!options.file) {
    throw new ReportError('writeReport: give the output file, e.g. { file: "report.html" }.');
  }
  const html = await renderReport(input, options);
  const path = resolve(options.file);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, html);
  } catch (e) {
    throw new ReportError(
      `writeReport: cannot write ${path}: ${(e as Error).message}. Choose a file in a writable folder.`,
      { cause: e },
    );
  }
  return path;
}

function toRunData(input: ReportInput, timings: StepTimings | undefined, what: string): RunData {
  if (typeof input === 'string') return readStoredRun(input);
  if (isResult(input)) return runDataFromResult(input, timings);
  throw new ReportError(
    `renderReport: the ${what} is neither a Result nor a stored run folder path (got ${input === null ? 'null' : typeof input}). Pass the value of exp.run() or a path like 'data/<experiment>/v0'.`,
  );
}

/** Detected by shape, not `instanceof`: a Result from another copy of the package still works. */
function isResult(v: unknown): v is Result {
  const r = v as Partial<Result> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.metrics === 'object' &&
    typeof r.provenance === 'object' &&
    typeof r.conditionMetrics === 'function'
  );
}

/** `v2` / `v3` when both versions are known and differ; otherwise `run 1` / `run 2`. */
function runLabels(data: readonly RunData[]): string[] {
  if (data.length === 1) return [''];
  const byVersion = data.map((d) => (d.version === undefined ? '' : `v${d.version}`));
  const byName = data.map((d, i) => `${d.experiment}${byVersion[i] ? ` ${byVersion[i]}` : ''}`);
  if (byVersion.every(Boolean) && new Set(byVersion).size === data.length) return byVersion;
  if (new Set(byName).size === data.length) return byName;
  return data.map((_, i) => `run ${i + 1}`);
}
