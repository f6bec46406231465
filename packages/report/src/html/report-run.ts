import type { RunData } from '../input/run-data.js';
import type { RunEnvironment } from '../input/environment.js';

/** One run as a report shows it: its data, where its code came from, and its short label. */
export interface ReportRun {
  readonly data: RunData;
  readonly env: RunEnvironment;
  /** 'v3' (or 'run 1' when versions are unknown or equal); '' when the report shows one run. */
  readonly label: string;
}
