import { CrystallizeError } from '@crystallize/core';

/** The command was used wrongly (exit code 2); the message says what and how to fix it. */
export class UsageError extends CrystallizeError {}
