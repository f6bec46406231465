import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkspaceFixture } from './workspace-fixture.js';

const SCRIPT = 'check-cycles.mjs';
let ws: WorkspaceFixture;
beforeEach(() => {
  ws = new WorkspaceFixture().pkg('a', '@x/a');
});
afterEach(() => ws.dispose());

describe('check-cycles (pnpm lint)', () => {
  it('fails on a new cycle made of type-only imports and prints a cycle through it', () => {
    ws.write(
      'packages/a/src/one.ts',
      "import type { Two } from './two.js';\nexport interface One { two?: Two }\n",
    );
    ws.write(
      'packages/a/src/two.ts',
      "import { type One } from './one.js';\nexport interface Two { one?: One }\n",
    );
    const run = ws.run(SCRIPT);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /new import cycle through packages\/a\/src\/one\.ts -> packages\/a\/src\/two\.ts/,
    );
    expect(run.stderr).toMatch(/Type-only imports count too/);
  });

  it('counts re-exports and dynamic import() as imports', () => {
    ws.write('packages/a/src/one.ts', "export { two } from './two.js';\nexport const one = 1;\n");
    ws.write(
      'packages/a/src/two.ts',
      "export const two = 2;\nexport const load = () => import('./one.js');\n",
    );
    expect(ws.run(SCRIPT).status).toBe(1);
  });

  it('passes and lists the allow-listed cycles, and fails when another edge closes a new one', () => {
    ws.write(
      'packages/a/src/one.ts',
      "import type { Two } from './two.js';\nexport type One = Two[];\n",
    );
    ws.write(
      'packages/a/src/two.ts',
      "import type { One } from './one.js';\nexport type Two = { one: One };\n",
    );
    ws.write(
      'packages/a/src/leaf.ts',
      "import type { One } from './one.js';\nexport type Leaf = One;\n",
    );
    expect(ws.run(SCRIPT, '--update').status).toBe(0);
    const known = JSON.parse(
      readFileSync(join(ws.root, 'scripts/known-import-cycles.json'), 'utf8'),
    ) as {
      edges: string[];
    };
    expect(known.edges).toEqual([
      'packages/a/src/one.ts -> packages/a/src/two.ts',
      'packages/a/src/two.ts -> packages/a/src/one.ts',
    ]);
    const ok = ws.run(SCRIPT);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(
      /known cycle among 2 files: packages\/a\/src\/one\.ts, packages\/a\/src\/two\.ts/,
    );

    // leaf -> one already exists; one -> leaf closes a new cycle inside the known component.
    ws.write(
      'packages/a/src/one.ts',
      "import type { Two } from './two.js';\nimport type { Leaf } from './leaf.js';\nexport type One = Two[] | Leaf;\n",
    );
    const bad = ws.run(SCRIPT);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /new import cycle through packages\/a\/src\/one\.ts -> packages\/a\/src\/leaf\.ts/,
    );
    expect(bad.stderr).not.toMatch(
      /through packages\/a\/src\/one\.ts -> packages\/a\/src\/two\.ts/,
    );
  });

  it('says when allow-listed edges are gone, without failing', () => {
    ws.write(
      'packages/a/src/one.ts',
      "import type { Two } from './two.js';\nexport type One = Two[];\n",
    );
    ws.write(
      'packages/a/src/two.ts',
      "import type { One } from './one.js';\nexport type Two = { one: One };\n",
    );
    ws.run(SCRIPT, '--update');
    ws.write('packages/a/src/two.ts', 'export type Two = { one: number };\n');
    const run = ws.run(SCRIPT);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/2 allow-listed edge\(s\) no longer on a cycle/);
  });

  it('fails when two packages import each other', () => {
    ws.pkg('b', '@x/b');
    ws.write('packages/a/src/index.ts', "import type { B } from '@x/b';\nexport type A = B;\n");
    ws.write(
      'packages/b/src/index.ts',
      "import type { A } from '@x/a';\nexport type B = { a?: A };\n",
    );
    const run = ws.run(SCRIPT);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/packages import each other in a cycle: @x\/a, @x\/b/);
  });
});
