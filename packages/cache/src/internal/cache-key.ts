import { CacheError } from '@crystallize/core';

// Keys become file and folder names: keep them to a portable, traversal-free alphabet.
const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** Throws a CacheError unless `key` is safe to use as a file or folder name. */
export function checkKey(kind: 'stepKey' | 'inputKey', key: string): void {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new CacheError(
      `Invalid cache ${kind} ${JSON.stringify(key)}: use 1-200 characters from [A-Za-z0-9._-], ` +
        `not starting with '.' (a hash such as step.stepHash or hashValue(input) fits).`,
    );
  }
}

export function isKey(name: string): boolean {
  return KEY.test(name);
}
