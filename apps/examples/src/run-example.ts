/**
 * How every example runs from the command line: `node apps/examples/dist/<name>.js [dir]`.
 * Files go under `dir` (or `CRYSTALLIZE_EXAMPLES_DIR`), else a fresh folder in the OS temp dir —
 * never the current directory.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when the module at `moduleUrl` is the script node was started with (not an import). */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && resolve(script) === fileURLToPath(moduleUrl);
}

/** The folder an example writes to: argv[2], `CRYSTALLIZE_EXAMPLES_DIR`, or a new temp folder. */
export function exampleDir(name: string): string {
  const given = process.argv[2] ?? process.env['CRYSTALLIZE_EXAMPLES_DIR'];
  if (given) {
    const dir = resolve(given, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  return mkdtempSync(join(tmpdir(), `crystallize-${name}-`));
}

/** A fresh temp folder, the default `dir` of every example's `main()`. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `crystallize-${name}-`));
}
