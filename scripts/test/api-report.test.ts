import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkspaceFixture } from './workspace-fixture.js';

const SCRIPT = 'api-report.mjs';
let ws: WorkspaceFixture;
beforeEach(() => {
  ws = new WorkspaceFixture()
    .pkg('core', '@x/core')
    .write(
      'packages/core/src/index.ts',
      [
        'export class Box {}',
        'export interface Shape { readonly size: number }',
        'export type Size = number;',
        'export const LIMIT = 3;',
        'export function make(): Box { return new Box(); }',
        "export { helper as renamed } from './helper.js';",
        '',
      ].join('\n'),
    )
    .write(
      'packages/core/src/helper.ts',
      '/** @deprecated use make */\nexport function helper(): void {}\n',
    )
    .pkg('umbrella', 'umbrella')
    .write('packages/umbrella/src/index.ts', "export * from '@x/core';\n");
});
afterEach(() => ws.dispose());

describe('api-report (pnpm lint, pnpm api:update)', () => {
  it('writes each public entry’s sorted export names and kinds to packages/<pkg>/api.md', () => {
    expect(ws.run(SCRIPT, '--update').status).toBe(0);
    const core = readFileSync(join(ws.root, 'packages/core/api.md'), 'utf8');
    expect(core.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      '- `Box`: class',
      '- `LIMIT`: const',
      '- `Shape`: interface',
      '- `Size`: type',
      '- `make`: function',
      '- `renamed`: function (deprecated)',
    ]);
    // The umbrella's `export *` is resolved to the names it really exports.
    const umbrella = readFileSync(join(ws.root, 'packages/umbrella/api.md'), 'utf8');
    expect(umbrella).toContain('- `make`: function');
    expect(ws.run(SCRIPT).status).toBe(0);
  });

  it('fails when the public surface changes without the report, naming what was added and removed', () => {
    ws.run(SCRIPT, '--update');
    ws.write(
      'packages/core/src/index.ts',
      "export class Box {}\nexport const LIMIT = 4;\nexport type { Shape, Size } from './shapes.js';\nexport { make, renamed } from './rest.js';\n",
    );
    ws.write(
      'packages/core/src/shapes.ts',
      'export interface Shape { readonly size: number }\nexport type Size = number;\n',
    );
    ws.write(
      'packages/core/src/rest.ts',
      "import { Box } from './index.js';\nexport function make(): Box { return new Box(); }\n/** @deprecated use make */\nexport function renamed(): void {}\n",
    );
    expect(ws.run(SCRIPT).status).toBe(0); // moved, not changed: same surface

    ws.write(
      'packages/core/src/shapes.ts',
      'export interface Shape { readonly size: number }\nexport interface Size { n: number }\n',
    );
    ws.write(
      'packages/core/src/index.ts',
      "export class Box {}\nexport const LIMIT = 4;\nexport function build(): void {}\nexport type { Shape, Size } from './shapes.js';\nexport { make } from './rest.js';\n",
    );
    const run = ws.run(SCRIPT);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/public surface of @x\/core differs from packages\/core\/api\.md/);
    expect(run.stderr).toContain('+ `build`: function');
    expect(run.stderr).toContain('+ `Size`: interface');
    expect(run.stderr).toContain('- `Size`: type');
    expect(run.stderr).toContain('- `renamed`: function (deprecated)');
    expect(run.stderr).toMatch(/api:update/);
    expect(ws.run(SCRIPT, '--update').status).toBe(0);
    expect(ws.run(SCRIPT).status).toBe(0);
  });
});
