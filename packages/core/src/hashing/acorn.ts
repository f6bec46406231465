import { createRequire } from 'node:module';
import type * as Acorn from 'acorn';

let acorn: typeof Acorn | undefined;

/**
 * acorn, loaded the first time source code is parsed (a step's code fingerprint, a module's
 * dependencies) rather than at import: it is the largest file `import 'crystallize'` would
 * otherwise compile (~230 KB), which every command and script pays even when it runs nothing.
 */
export function loadAcorn(): typeof Acorn {
  return (acorn ??= createRequire(import.meta.url)('acorn') as typeof Acorn);
}
