import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export type LogLevel = LevelWithSilent;

let root: Logger | undefined;

/**
 * The process-wide pino logger contexts log through until a LoggingPlugin configures another.
 * JSON lines go to stderr so that step output on stdout stays clean. The level comes from
 * `CRYSTALLIZE_LOG_LEVEL` (default `info`).
 */
export function rootLogger(): Logger {
  root ??= pino(
    { level: (process.env['CRYSTALLIZE_LOG_LEVEL'] as LogLevel | undefined) ?? 'info', base: null },
    pino.destination({ fd: 2, sync: true }),
  );
  return root;
}

/** Replaces the process-wide logger (the LoggingPlugin does this for a run). */
export function setRootLogger(logger: Logger): void {
  root = logger;
}
