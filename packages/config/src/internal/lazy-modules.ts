import { createRequire } from 'node:module';
import type * as Levenshtein from 'fastest-levenshtein';
import type * as Yaml from 'yaml';
import type * as Zod from 'zod';

/*
 * zod, yaml and fastest-levenshtein load on first use: `import 'crystallize'` re-exports this
 * package, and a program that never reads a config.yaml should not pay ~150 ms for them.
 */
const require = createRequire(import.meta.url);

export const zod = (): typeof Zod => require('zod') as typeof Zod;
export const yaml = (): typeof Yaml => require('yaml') as typeof Yaml;
export const levenshtein = (): typeof Levenshtein =>
  require('fastest-levenshtein') as typeof Levenshtein;
