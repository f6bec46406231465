import { createRequire } from 'node:module';
import type * as Bullmq from 'bullmq';
import type * as Ioredis from 'ioredis';

/*
 * BullMQ and ioredis, loaded once per process with `require`: both are CommonJS, and importing
 * CommonJS from an ES module makes Node lex the package's source (and every file it re-exports)
 * to find its export names — about a third more start-up than loading them (measured: ~230 ms
 * against ~160 ms for bullmq on the project's 2-core machine).
 */

/** The queue engine this package builds on. */
export interface QueueLibrary {
  readonly bullmq: typeof Bullmq;
  readonly ioredis: typeof Ioredis;
}

let loaded: QueueLibrary | undefined;

/** Loads BullMQ and ioredis now (synchronously) or returns them; throws when they are missing. */
export function queueLibrary(): QueueLibrary {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = {
      bullmq: require('bullmq') as typeof Bullmq,
      ioredis: require('ioredis') as typeof Ioredis,
    };
  }
  return loaded;
}
