/**
 * @crystallize/report — the experiment report (SPEC §12): one self-contained HTML file with run
 * metadata, metric plots (points, mean, 95% CI), hypothesis tables and forest plots, power
 * estimates, step times and cache hit rates, errors, and a side-by-side comparison of two runs.
 */
export {
  renderReport,
  writeReport,
  DEFAULT_MAX_POINTS,
  type ReportInput,
  type ReportOptions,
  type WriteReportOptions,
} from './render-report.js';
export { readStoredRun, readStoredHypotheses, resolveRunDir } from './input/stored-run.js';
export type { RunData, RunError, HypothesisData, StepUsage } from './input/run-data.js';
export { STEP_TIMINGS_FILE, type StepTimings } from './input/step-usage.js';
export { StepTimingPlugin } from './step-timing.plugin.js';
export { replicatesForPower, TARGET_POWER, type PowerEstimate } from './analysis/power.js';
export { testLeaves, type TestLeaf } from './analysis/test-leaves.js';
export { summarize, thinToQuantiles, type MetricSummary } from './analysis/metric-summary.js';
export { ReportError } from './report-error.js';

import { registerReportWriter } from '@crystallize/orchestrator/internal';
import { writeReport, type ReportInput, type WriteReportOptions } from './render-report.js';
// `result.toReport({ file })` writes through this package once it is loaded. The orchestrator
// hands its Result untyped (it sits below this package); writeReport checks its shape.
registerReportWriter((result, options) =>
  writeReport(result as ReportInput, options as WriteReportOptions),
);
