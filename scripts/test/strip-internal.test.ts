import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Reads the build `npm test` / `test:integration` make before running this tier.
const packagesDir = resolve(process.cwd(), 'packages');
/** Packages whose @internal members another package still compiles against (see README). */
const NOT_YET_STRIPPED = ['core'];

function declarationFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return declarationFiles(path);
    return e.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('published type declarations', () => {
  it('leave @internal members out of every package’s dist/*.d.ts (stripInternal)', () => {
    const checked = readdirSync(packagesDir).filter((p) => !NOT_YET_STRIPPED.includes(p));
    const files = checked.flatMap((p) => declarationFiles(join(packagesDir, p, 'dist')));
    expect(files.length).toBeGreaterThan(10);
    const leaking = files.filter((f) => readFileSync(f, 'utf8').includes('@internal'));
    expect(leaking).toEqual([]);
  });
});
