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

const LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

const noop = (): void => undefined;

/**
 * A logger that stands for `make()` and calls it (loading pino) only when it is really used: a
 * line at a level `level` lets through, or anything beyond logging methods and `child`. A line
 * below the level is dropped without it, as pino drops it; `child` gives another such logger.
 * Worker threads, runs whose logging is silent and scripts that never log so never load pino
 * (~25 ms of a worker thread's start).
 */
function deferred(make: () => Logger, level: string): Logger {
  let real: Logger | undefined;
  const get = (): Logger => (real ??= make());
  const threshold = LEVELS[level] ?? LEVELS['info']!;
  return new Proxy({} as Logger, {
    get(_, key) {
      if (!real) {
        if (typeof key === 'string' && key in LEVELS && key !== 'silent') {
          if (LEVELS[key]! < threshold) return noop;
        } else if (key === 'level') {
          return level;
        } else if (key === 'isLevelEnabled') {
          return (l: string) => (LEVELS[l] ?? Infinity) >= threshold;
        } else if (key === 'child') {
          return (bindings: Record<string, unknown>, options?: { level?: string }) =>
            deferred(() => get().child(bindings, options), options?.level ?? level);
        }
      }
      const target = get();
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
    set(_, key, value) {
      return Reflect.set(get(), key, value);
    },
    has(_, key) {
      return Reflect.has(get(), key);
    },
  });
}

/**
 * The process-wide pino logger contexts log through until a LoggingPlugin configures another.
 * JSON lines go to stderr so that step output on stdout stays clean. The level comes from
 * `CRYSTALLIZE_LOG_LEVEL` (default `info`). pino is loaded, and the logger made, when the first
 * line at an enabled level is logged (see `deferred`).
 */
export function rootLogger(): Logger {
  if (root === undefined) {
    const level = (process.env['CRYSTALLIZE_LOG_LEVEL'] as LogLevel | undefined) ?? 'info';
    root = deferred(() => {
      const { pino } = loadPino();
      return pino({ level, base: null }, pino.destination({ fd: 2, sync: true }));
    }, level);
  }
  return root;
}

/** Replaces the process-wide logger (the LoggingPlugin does this for a run). */
export function setRootLogger(logger: Logger): void {
  root = logger;
}
