import { CacheError } from '@crystallize/core';

/**
 * A value given to the store cannot be encoded so that it round-trips exactly (a function, a
 * symbol, a socket or other class instance, a cycle). The orchestrator recognises it to run a
 * step uncached under `onUnencodable: 'skip'`.
 */
export class UnencodableValueError extends CacheError {
  /** `<stepKey>/<inputKey>` of the entry being written. */
  readonly key: string;
  /** Where in the entry the value sits, e.g. `output.model.layers[1]`. */
  readonly path: string;
  /** What the value is, e.g. `function relu`, `Socket instance`, `symbol`. */
  readonly valueType: string;

  constructor(key: string, path: string, valueType: string, why: string) {
    super(
      `Cannot cache entry ${key}: ${path} is a ${valueType}, which ${why}. Return plain data ` +
        `(objects, arrays, typed arrays, Map, Set, Date, BigInt, ...) from the step, declare it ` +
        `not cacheable, or run it with onUnencodable: 'skip'.`,
    );
    this.key = key;
    this.path = path;
    this.valueType = valueType;
  }
}

/**
 * The cache folder could not be written (read-only, full, a file where a folder must be).
 * Under the store's default `onWriteError: 'warn'` a run goes on uncached with one warning;
 * with `'fail'` the step fails with this error.
 */
export class CacheWriteError extends CacheError {
  /** The cache's root folder. */
  readonly dir: string;
  /** The entry file that could not be written. */
  readonly file: string;
  /** The OS error code (`EACCES`, `ENOSPC`, `ENOTDIR`, ...), or `'UNKNOWN'`. */
  readonly code: string;

  constructor(dir: string, file: string, key: string, cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    const message = (cause as { message?: unknown } | null)?.message;
    const reason = typeof message === 'string' ? message : String(cause);
    super(
      `Could not write cache entry ${key} to ${file}: ${reason}. The cache folder ${dir} must be ` +
        'writable and have room: fix its permissions, free space, or point CRYSTALLIZE_CACHE_DIR ' +
        "(or the store's dir) at another folder.",
      { cause },
    );
    this.dir = dir;
    this.file = file;
    this.code = typeof code === 'string' ? code : 'UNKNOWN';
  }
}
