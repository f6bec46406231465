import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const script = resolve(process.cwd(), 'scripts', 'check-readme-snippets.mjs');

function check(readme?: string) {
  const out = spawnSync(
    process.execPath,
    readme === undefined ? [script] : [script, '--readme', readme],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crystallize-readme-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function readme(text: string): string {
  const file = join(dir, 'README.md');
  writeFileSync(file, text);
  return file;
}

const fence = '```';

describe('check-readme-snippets (the README type test)', () => {
  it('type-checks every ts snippet of README.md with no cast and no any', () => {
    const run = check();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\d+ README snippet\(s\) type-checked, 0 skipped/);
  }, 120_000);

  it('reports a cast, an any and a type error at their README line and column', () => {
    const file = readme(
      [
        '# T', // 1
        '', // 2
        `${fence}ts`, // 3
        "const n = standaloneContext().get('k') as number;", // 4
        'export const m: any = n;', // 5
        "const s: string = standaloneContext().get('k', 1);", // 6
        fence,
        '',
      ].join('\n'),
    );
    const run = check(file);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /README\.md:4:11 a cast \(`standaloneContext\(\)\.get\('k'\) as number`\)/,
    );
    expect(run.stderr).toMatch(/README\.md:5:17 `any`/);
    expect(run.stderr).toMatch(
      /README\.md:6:7 TS2322: Type 'number' is not assignable to type 'string'/,
    );
  }, 120_000);

  it('compiles fragments against crystallize and the reader context, and skips a marked snippet', () => {
    const file = readme(
      [
        `${fence}ts`,
        'result.metrics.baseline.metrics; // a Result from the context module',
        'const exp2 = new Experiment({ datasource: () => [1], pipeline: [ApplyDose] });',
        'export { exp2 };',
        fence,
        '',
        '<!-- typecheck:skip shows a compile error on purpose -->',
        '',
        `${fence}ts`,
        'const wrong: string = 1 as unknown as string;',
        fence,
        '',
      ].join('\n'),
    );
    const run = check(file);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(
      '1 README snippet(s) type-checked, 1 skipped (line 10: shows a compile error on purpose)',
    );
  }, 120_000);

  it('requires a reason on typecheck:skip', () => {
    const file = readme(
      ['<!-- typecheck:skip -->', `${fence}ts`, 'const x = 1;', fence, ''].join('\n'),
    );
    const run = check(file);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('README.md:1:1 typecheck:skip needs a reason');
  }, 120_000);
});
