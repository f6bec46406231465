import { StorageError, type StorageOperation } from '@crystallize/core';
import type { SerializedStorageError } from '../model/outcome.js';

/*
 * Storage failures as StorageErrors (SPEC §9): every results-folder write goes through
 * `storing`, so a read-only or full folder reports the path, the operation and the fix instead
 * of a raw EACCES; and artifact writes that fail inside a step are recorded per context (not
 * thrown into the user's step) for the run's `result.storageErrors`.
 */

export type { SerializedStorageError };

const OPERATION_OF_SYSCALL: Readonly<Record<string, StorageOperation>> = {
  mkdir: 'mkdir',
  rename: 'rename',
  open: 'write',
  write: 'write',
  fsync: 'write',
  read: 'read',
  unlink: 'remove',
  rmdir: 'remove',
  rm: 'remove',
};

/** Whether `e` is an error of the file system (Node's errors with a `code` and a `syscall`). */
export function isFileSystemError(e: unknown): e is NodeJS.ErrnoException {
  // By shape: an error of the fs module may come from another realm (a test sandbox, a vm).
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    typeof (e as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** `e` as a StorageError about `path` (a StorageError or a non-fs error passes through as is). */
export function toStorageError(
  e: unknown,
  path: string,
  operation: StorageOperation = 'write',
): unknown {
  if (e instanceof StorageError || !isFileSystemError(e)) return e;
  const op = OPERATION_OF_SYSCALL[e.syscall ?? ''] ?? operation;
  // mkdir fails on the folder, not on the file it was made for.
  return new StorageError(op === 'mkdir' && e.path ? e.path : path, op, e);
}

/** Runs a file-system write of `path`, turning its fs errors into StorageErrors. */
export function storing<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    throw toStorageError(e, path);
  }
}

export function serializeStorageError(e: StorageError): SerializedStorageError {
  return { path: e.path, operation: e.operation, code: e.code, message: e.message };
}

/** The StorageError a serialized one stands for (its message kept as written). */
export function rebuildStorageError(s: SerializedStorageError): StorageError {
  const e = new StorageError(
    s.path,
    s.operation,
    Object.assign(new Error(s.code), { code: s.code }),
  );
  Object.defineProperty(e, 'message', { value: s.message, enumerable: false, writable: true });
  return e;
}

const failuresOf = new WeakMap<object, StorageError[]>();

/** Records a storage failure that happened while running the replicate of `ctx`. */
export function recordStorageFailure(ctx: object, error: StorageError): void {
  const list = failuresOf.get(ctx);
  if (list) list.push(error);
  else failuresOf.set(ctx, [error]);
}

/** The storage failures recorded for `ctx` (and forgets them). */
export function takeStorageFailures(ctx: object): readonly StorageError[] {
  const list = failuresOf.get(ctx) ?? [];
  failuresOf.delete(ctx);
  return list;
}
