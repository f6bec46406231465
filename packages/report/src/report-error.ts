import { CrystallizeError } from '@crystallize/core';

/** A report could not be built: the input is not a run, or a stored file is unreadable. */
export class ReportError extends CrystallizeError {}
