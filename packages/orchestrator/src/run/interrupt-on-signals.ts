/** What {@link interruptOnSignals} accepts. */
export interface InterruptOnSignalsOptions {
  /** The process signals that interrupt (default `['SIGINT', 'SIGTERM']`). */
  readonly signals?: readonly NodeJS.Signals[];
  /** Where the one-line notices go (default `process.stderr`). */
  readonly stream?: { write(text: string): unknown };
  /**
   * A third signal exits the process at once with this code (default 130, as shells report
   * Ctrl-C) — the way out of a step that never yields; `false` keeps the process running.
   */
  readonly exitOnThird?: number | false;
}

/** The two signals to pass to `run()` / `ExperimentGraph.run`, and the listeners' removal. */
export interface Interruption {
  /** Aborted by the first signal: no new replicate starts, running ones finish and are stored. */
  readonly drain: AbortSignal;
  /** Aborted by the second signal: stop at once (workers terminated, finished work kept). */
  readonly signal: AbortSignal;
  /** Removes the process listeners (call it when the run is over). */
  dispose(): void;
}

/**
 * Makes Ctrl-C graceful: the first SIGINT/SIGTERM aborts `drain` (and says on stderr that a
 * second one stops at once), the second aborts `signal`, a third exits the process.
 *
 * @example
 * const stop = interruptOnSignals();
 * try {
 *   const result = await exp.run({ drain: stop.drain, signal: stop.signal });
 *   if (result.aborted) console.error('interrupted: run again with strategy: "resume"');
 * } finally {
 *   stop.dispose();
 * }
 */
export function interruptOnSignals(options: InterruptOnSignalsOptions = {}): Interruption {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const out = options.stream ?? process.stderr;
  const exitCode = options.exitOnThird ?? 130;
  const drain = new AbortController();
  const stop = new AbortController();
  let received = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) {
      out.write(
        `\ninterrupted: finishing the replicates in progress and storing them (${name}); no new replicates start. Press Ctrl-C again to stop at once.\n`,
      );
      drain.abort(new Error(`interrupted (${name})`));
    } else if (received === 2) {
      out.write(
        `\ninterrupted again: stopping now. Running workers are terminated, finished replicates are kept` +
          `${exitCode === false ? '' : '; a third time exits without waiting'}.\n`,
      );
      stop.abort(new Error(`interrupted twice (${name})`));
    } else if (exitCode !== false) {
      process.exit(exitCode);
    }
  };
  for (const s of signals) process.on(s, onSignal);
  return {
    drain: drain.signal,
    signal: stop.signal,
    dispose: () => {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}
