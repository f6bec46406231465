/*
 * Types that need no casts on the common path: the compiler itself checks these snippets (an
 * in-memory `tsc` program over @crystallize/core's sources, strict, as `crystallize init` sets up).
 */
import { join, resolve } from 'node:path';
import ts from 'typescript';

const repo = resolve(import.meta.dirname, '..', '..', '..', '..');

/** The compiler's errors for `code` (a module importing from '@crystallize/core'). */
function typeErrors(code: string): string[] {
  const file = join(repo, 'packages', 'core', 'test', 'context', '__snippet__.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    types: ['node'],
    typeRoots: [join(repo, 'node_modules', '@types')],
    baseUrl: repo,
    paths: { '@crystallize/*': ['./packages/*/src/index.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    resolve(name) === file
      ? ts.createSourceFile(name, code, lang)
      : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

const prelude = `import { standaloneContext, withMetrics } from '@crystallize/core';
const ctx = standaloneContext({ k: 3, name: 'x' });
`;

describe('context and metrics types', () => {
  it('records ctx.get(key) as a metric with no cast: ctx.metrics.add(name, ctx.get(key))', () => {
    expect(
      typeErrors(`${prelude}
ctx.metrics.add('k', ctx.get('k'));
ctx.record('name', ctx.get('name'), { split: 'test' });
export const out = withMetrics([1], { k: ctx.get('k') });
`),
    ).toEqual([]);
  }, 60_000);

  it('infers ctx.get(key, fallback) from the fallback and ctx.get<T>(key) from T', () => {
    expect(
      typeErrors(`${prelude}
const scale: number = ctx.get('scale', 1.0);
const label: string | undefined = ctx.get<string>('label');
ctx.metrics.add('scaled', 2 * scale);
const values: readonly number[] = ctx.metrics.get<number>('scaled');
export { label, values };
`),
    ).toEqual([]);
  }, 60_000);

  it('still rejects a wrong type where one is declared', () => {
    expect(
      typeErrors(`${prelude}
export const scale: string = ctx.get('scale', 1.0);
`).join('\n'),
    ).toContain("Type 'number' is not assignable to type 'string'");
  }, 60_000);
});
