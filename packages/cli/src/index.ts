/**
 * @crystallize/cli — the `crystallize` command (SPEC §11): list, run, show, graph, report, clean, new.
 */
export { main, createProgram } from './program.js';
export { UsageError } from './usage-error.js';
export type { RunSummary, HypothesisSummary, HypothesisRow, MetricRow } from './summary/summary.js';
