import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the OS temp dir: examples under test never write into the repo. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cz-examples-'));
}
