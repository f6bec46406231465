import { CrystallizeError } from '@crystallize/core';

/**
 * What `result.toReport()` accepts (SPEC §12): where to write, and what the page shows. `R` is
 * the `Result` class (this module sits below it).
 */
export interface ToReportOptions<R = unknown> {
  /** The HTML file to write (folders are created). */
  readonly file: string;
  /** A second run shown side by side: another `Result`, or a stored run folder (`data/exp/v2`). */
  readonly compare?: R | string;
  /** Page title (default: `Experiment report: <name>`). */
  readonly title?: string;
  /** Most points drawn per condition in a metric plot (default 1000). */
  readonly maxPointsPerCondition?: number;
}

/** Writes the report of a result (a `Result`); returns the absolute path of the file. */
export type ReportWriter = (result: unknown, options: ToReportOptions) => Promise<string>;

/*
 * The orchestrator cannot depend on @crystallize/report (the report reads results, so the
 * dependency runs the other way): the report package registers its writer when it loads, and the
 * `crystallize` package registers one that loads the report package on first use (its plotting
 * libraries cost nothing until a report is written).
 */
let writer: ReportWriter | undefined;

/** Internal: set by @crystallize/report and by `crystallize`. */
export function registerReportWriter(w: ReportWriter): void {
  writer = w;
}

export async function writeResultReport(
  result: unknown,
  options: ToReportOptions,
): Promise<string> {
  if (!writer) {
    throw new CrystallizeError(
      'result.toReport() needs @crystallize/report, which is not loaded: import from the `crystallize` package ' +
        "(it loads the report on first use), or add @crystallize/report and `import '@crystallize/report'` once.",
    );
  }
  return writer(result, options);
}
