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
