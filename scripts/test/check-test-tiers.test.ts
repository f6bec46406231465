import { WorkspaceFixture } from './workspace-fixture.js';

const SCRIPT = 'check-test-tiers.mjs';
let ws: WorkspaceFixture;
beforeEach(() => {
  ws = new WorkspaceFixture().pkg('a', '@x/a');
});
afterEach(() => ws.dispose());

describe('check-test-tiers (pnpm lint)', () => {
  it('rejects a wall-clock assertion in a unit test and points to apps/bench', () => {
    ws.write(
      'packages/a/test/speed.test.ts',
      "it('is fast', () => {\n  const t0 = performance.now();\n  expect(performance.now() - t0).toBeLessThan(5);\n});\n",
    );
    const run = ws.run(SCRIPT);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/packages\/a\/test\/speed\.test\.ts:2 reads the clock/);
    expect(run.stderr).toMatch(/apps\/bench/);
  });

  it('rejects a unit test whose helper spawns a process, naming the helper and the test', () => {
    ws.write(
      'packages/a/test/helpers/run.ts',
      "import { spawnSync } from 'node:child_process';\nexport const run = spawnSync;\n",
    );
    ws.write(
      'packages/a/test/cli.test.ts',
      "import { run } from './helpers/run.js';\nit('runs', () => void run);\n",
    );
    const run = ws.run(SCRIPT);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /packages\/a\/test\/helpers\/run\.ts:1 \(imported by packages\/a\/test\/cli\.test\.ts\) starts processes/,
    );
  });

  it('accepts the same files in the integration tier (*.integration.test.ts, apps/*/test)', () => {
    ws.write('packages/a/test/speed.integration.test.ts', 'const t0 = Date.now();\n');
    ws.write('apps/demo/test/demo.test.ts', "import { execFileSync } from 'node:child_process';\n");
    ws.write('packages/a/test/plain.test.ts', "it('adds', () => expect(1 + 1).toBe(2));\n");
    const run = ws.run(SCRIPT);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/1 unit test files/);
  });
});
