import { join } from 'node:path';
import { StorageError } from '@crystallize/core';
import { writeArtifactFile } from './run-writer.js';
import { recordStorageFailure, toStorageError } from './storage-failure.js';

/**
 * Writes an artifact file a step produced; a failure is recorded for the run (its
 * `result.storageErrors`) instead of failing the user's step, whose metrics still count.
 */
export function storeArtifactFile(
  ctx: object,
  runDir: string,
  relPath: string,
  data: string | Uint8Array,
): void {
  try {
    writeArtifactFile(runDir, relPath, data);
  } catch (e) {
    const error = toStorageError(e, join(runDir, relPath));
    if (!(error instanceof StorageError)) throw error;
    recordStorageFailure(ctx, error);
  }
}
