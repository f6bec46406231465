import { CrystallizeError } from '@crystallize/core';
import { registerTransportableError } from '../execution/error-transport.js';
import type { Result } from '../results/result.js';

/**
 * An {@link ExperimentGraph} run in which some experiment failed (or was skipped because an
 * upstream failed). What did finish is still here: `results`.
 */
export class ExperimentGraphError extends CrystallizeError {
  constructor(
    /** Results of the experiments that ran (a failed one with failed replicates included). */
    readonly results: Readonly<Record<string, Result>>,
    /** Why each failed experiment failed. */
    readonly failures: Readonly<Record<string, Error>>,
    /** Why each skipped experiment did not run. */
    readonly skipped: Readonly<Record<string, string>>,
  ) {
    const lines = [
      ...Object.entries(failures).map(([n, e]) => `'${n}' failed: ${e.message}`),
      ...Object.entries(skipped).map(([n, why]) => `'${n}' skipped: ${why}`),
    ];
    super(
      `ExperimentGraph: ${lines.join('; ')}. Fix the failing experiment and run again (strategy 'resume' keeps what completed).`,
    );
    this.name = 'ExperimentGraphError';
  }
}

registerTransportableError(ExperimentGraphError);
