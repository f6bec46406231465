import { PipelineExecutionError } from '@crystallize/core';
import type { SerializedError } from './outcome.js';

/**
 * The error each serialized form was made from, while it stays in this thread: a serial or async
 * run hands `result.errors` the original object (its class, `cause`, own properties and stack),
 * not a copy rebuilt from the plain form that crosses worker threads.
 */
const originals = new WeakMap<SerializedError, Error>();

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: { name: string; message: string; stack?: string; stepName?: string } = {
      name: error.name,
      message: error.message,
    };
    if (error.stack) out.stack = error.stack;
    if (error instanceof PipelineExecutionError) out.stepName = error.stepName;
    originals.set(out, error);
    return out;
  }
  return { name: 'Error', message: String(error) };
}

/** The original error behind a serialized one, when it was serialized in this thread. */
export function originalError(serialized: SerializedError): Error | undefined {
  return originals.get(serialized);
}

/**
 * What a log line should carry as `err`: the error that actually happened. The runner wraps
 * failures in {@link PipelineExecutionError} (naming the step, already in the message); the
 * `err` field shows the class underneath (`"type":"InjectionError"`), with its stack.
 */
export function loggedError(error: unknown): unknown {
  let e = error;
  while (e instanceof PipelineExecutionError && e.cause instanceof Error) e = e.cause;
  return e;
}
