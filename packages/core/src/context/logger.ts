import { createRequire } from 'node:module';
import type * as PinoModule from 'pino';
import type { Logger, LevelWithSilent } from 'pino';

export type { Logger };
export type LogLevel = LevelWithSilent;

let root: Logger | undefined;
let pinoModule: typeof PinoModule | undefined;

/**
 * pino, loaded on first use rather than at import: it is ~15 ms of a fresh process's start-up
 * and a script that never logs should not pay it. (pino is CommonJS, so `require` loads it
 * synchronously; every copy of the framework shares the one module.)
 */
export function loadPino(): typeof PinoModule {
  return (pinoModule ??= createRequire(import.meta.url)('pino') as typeof PinoModule);
}

/**
 * The process-wide pino logger contexts log through until a LoggingPlugin configures another.
 * JSON lines go to stderr so that step output on stdout stays clean. The level comes from
 * `CRYSTALLIZE_LOG_LEVEL` (default `info`). Created (and pino loaded) on first call.
 */
export function rootLogger(): Logger {
  if (root === undefined) {
    const { pino } = loadPino();
    root = pino(
      {
        level: (process.env['CRYSTALLIZE_LOG_LEVEL'] as LogLevel | undefined) ?? 'info',
        base: null,
      },
      pino.destination({ fd: 2, sync: true }),
    );
  }
  return root;
}

/** Replaces the process-wide logger (the LoggingPlugin does this for a run). */
export function setRootLogger(logger: Logger): void {
  root = logger;
}
