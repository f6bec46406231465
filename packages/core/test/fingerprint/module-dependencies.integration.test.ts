/*
 * Code fingerprints cover the module-level code a step reads. Each test writes a small project
 * to a fresh temp folder (real .ts files, loaded through ts-jest the way a user's test suite
 * loads them, or real .js files run by a child `node` process), changes one file in a copy, and
 * compares the fingerprints of the two copies. Copies live in different folders, so equal
 * fingerprints also show that a project's location is not part of them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInstrumenter } from 'istanbul-lib-instrument';
import { codeFingerprint, PipelineStep, Step } from '@crystallize/core';
import { recordDefinitionSite } from '@crystallize/core/internal';

type Files = Record<string, string>;
type StepCtor = new () => Step;

const here = dirname(fileURLToPath(import.meta.url));
const builtCore = resolve(here, '../../dist/index.js');
const roots: string[] = [];

afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function writeProject(files: Files): string {
  const dir = mkdtempSync(join(tmpdir(), 'crystallize-deps-'));
  roots.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Loads `entry` of a fresh copy of the project (a new module instance) and fingerprints `pick`. */
async function fingerprintOf(files: Files, pick = (m: Record<string, unknown>) => m['Scale']) {
  const dir = writeProject(files);
  const mod = (await import(join(dir, 'steps.ts'))) as Record<string, unknown>;
  const made = pick(mod);
  const step = typeof made === 'function' && 'prototype' in made ? new (made as StepCtor)() : made;
  return (step as Step).fingerprint;
}

function fakePackage(version: string): Files {
  return {
    'node_modules/fake-units/package.json': JSON.stringify({
      name: 'fake-units',
      version,
      type: 'module',
      main: 'index.js',
    }),
    'node_modules/fake-units/index.js': 'export const toKelvin = (c) => c + 273.15;\n',
  };
}

const HELPERS = `
export function transform(x: number): number {
  return clamp(x) + 1;
}
function clamp(x: number): number {
  return Math.min(x, LIMIT);
}
const LIMIT = 100;
export function unrelatedHelper(): string {
  return 'not used by any step';
}
`;

const STEPS = `
import { Param, PipelineStep, Step, pipelineStep } from '@crystallize/core';
import { toKelvin } from 'fake-units';
import { transform } from './helpers.js';

export const GAIN: number = 2;
enum Mode { Fast = 1, Slow = 2 }
const UNUSED_CONSTANT = 'nobody reads this';

function local(x: number): number {
  return x * GAIN;
}

export class Scale extends Step<number[], number[]> {
  @Param() factor = 1;
  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] {
    return data.map((x) => local(transform(x)) * this.factor);
  }
}

export class Kelvin extends Step<number[], number[]> {
  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] {
    return data.map(toKelvin);
  }
}

export class WithMode extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[]): number[] {
    return data.map((x) => x * Mode.Fast);
  }
}

export const addGain = pipelineStep({ cacheable: true, name: 'addGain' }, (xs: number[]) =>
  xs.map((x) => x + GAIN),
);
`;

const base: Files = { 'helpers.ts': HELPERS, 'steps.ts': STEPS, ...fakePackage('1.0.0') };

function edit(file: string, from: string, to: string): Files {
  const text = base[file] as string;
  expect(text).toContain(from);
  return { ...base, [file]: text.replace(from, to) };
}

describe('code fingerprints cover module-level dependencies', () => {
  let original: string;
  beforeAll(async () => {
    original = await fingerprintOf(base);
  });

  it('stays the same for an unchanged copy of the project in another folder', async () => {
    expect(await fingerprintOf(base)).toBe(original);
  });

  it('changes when a module constant the step reads through a helper changes', async () => {
    expect(await fingerprintOf(edit('steps.ts', 'GAIN: number = 2', 'GAIN: number = 3'))).not.toBe(
      original,
    );
  });

  it('changes when a module-level helper function the step calls changes', async () => {
    expect(
      await fingerprintOf(edit('steps.ts', 'return x * GAIN;', 'return x * GAIN + 1;')),
    ).not.toBe(original);
  });

  it('changes when a helper in a relatively imported file changes', async () => {
    expect(await fingerprintOf(edit('helpers.ts', 'clamp(x) + 1', 'clamp(x) + 2'))).not.toBe(
      original,
    );
  });

  it('follows helpers transitively: a constant read by a helper of an imported helper', async () => {
    expect(await fingerprintOf(edit('helpers.ts', 'LIMIT = 100', 'LIMIT = 50'))).not.toBe(original);
  });

  it('stays the same when code the step does not read changes', async () => {
    expect(
      await fingerprintOf(edit('helpers.ts', "'not used by any step'", "'still not used'")),
    ).toBe(original);
    expect(await fingerprintOf(edit('steps.ts', "'nobody reads this'", "'nor this'"))).toBe(
      original,
    );
  });

  it('ignores comments, formatting and type annotations in dependencies', async () => {
    const reformatted = edit(
      'helpers.ts',
      'export function transform(x: number): number {\n  return clamp(x) + 1;\n}',
      '// a comment\nexport function transform(x: unknown) { return clamp(x as number) + 1 }',
    );
    expect(await fingerprintOf(reformatted)).toBe(original);
  });

  it('counts a package import by package name and version', async () => {
    const pick = (m: Record<string, unknown>) => m['Kelvin'];
    const v1 = await fingerprintOf(base, pick);
    expect(await fingerprintOf(base, pick)).toBe(v1);
    expect(await fingerprintOf({ ...base, ...fakePackage('1.0.1') }, pick)).not.toBe(v1);
    // The package's own code is not read: same name and version, same fingerprint.
    const patched = fakePackage('1.0.0');
    patched['node_modules/fake-units/index.js'] = 'export const toKelvin = (c) => c + 273;\n';
    expect(await fingerprintOf({ ...base, ...patched }, pick)).toBe(v1);
  });

  it('covers the enums a step reads', async () => {
    const pick = (m: Record<string, unknown>) => m['WithMode'];
    expect(await fingerprintOf(edit('steps.ts', 'Fast = 1', 'Fast = 3'), pick)).not.toBe(
      await fingerprintOf(base, pick),
    );
  });

  it('covers what a pipelineStep() function reads at module level', async () => {
    const pick = (m: Record<string, unknown>) => (m['addGain'] as () => Step)();
    const before = await fingerprintOf(base, pick);
    expect(await fingerprintOf(base, pick)).toBe(before);
    expect(
      await fingerprintOf(edit('steps.ts', 'GAIN: number = 2', 'GAIN: number = 5'), pick),
    ).not.toBe(before);
  });

  it('covers the helpers of a base class imported from another file', async () => {
    const files: Files = {
      'base.ts': `
import { Step } from '@crystallize/core';
const OFFSET = 1;
export abstract class Shifted extends Step<number[], number[]> {
  shift(x: number): number { return x + OFFSET; }
}
`,
      'steps.ts': `
import { PipelineStep } from '@crystallize/core';
import { Shifted } from './base.js';
export class Scale extends Shifted {
  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] { return data.map((x) => this.shift(x)); }
}
`,
    };
    const before = await fingerprintOf(files);
    expect(await fingerprintOf(files)).toBe(before);
    const changed = {
      ...files,
      'base.ts': (files['base.ts'] as string).replace('OFFSET = 1', 'OFFSET = 2'),
    };
    expect(await fingerprintOf(changed)).not.toBe(before);
  });

  it('covers a subclass in another file that only re-declares a @Param and overrides a method', async () => {
    const files: Files = {
      'base.ts': `
import { Param, PipelineStep, Step } from '@crystallize/core';
export class Base extends Step<number[], number[]> {
  @Param() factor = 1;
  shift(x: number): number { return x; }
  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] { return data.map((x) => this.shift(x) * this.factor); }
}
`,
      'steps.ts': `
import { Param } from '@crystallize/core';
import { Base } from './base.js';
const OFFSET = 1;
export class Scale extends Base {
  @Param() factor = 2;
  shift(x: number): number { return x + OFFSET; }
}
`,
    };
    const before = await fingerprintOf(files);
    expect(await fingerprintOf(files)).toBe(before);
    const changed = {
      ...files,
      'steps.ts': (files['steps.ts'] as string).replace('OFFSET = 1', 'OFFSET = 2'),
    };
    expect(await fingerprintOf(changed)).not.toBe(before);
  });

  it('follows re-exports (export { x } from, export *) to the declaring file', async () => {
    const files: Files = {
      'lib/math.ts': 'export const half = (x: number) => x / 2;\n',
      'lib/index.ts': "export * from './math.js';\n",
      'steps.ts': `
import { PipelineStep, Step } from '@crystallize/core';
import { half } from './lib/index.js';
export class Scale extends Step<number[], number[]> {
  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] { return data.map(half); }
}
`,
    };
    const before = await fingerprintOf(files);
    const changed = { ...files, 'lib/math.ts': 'export const half = (x: number) => x / 3;\n' };
    expect(await fingerprintOf(changed)).not.toBe(before);
  });
});

describe('code fingerprint dependencies: declaration sites and fallbacks', () => {
  it('finds the declaring file of a class decorated with standard (TC39) decorators', () => {
    const source = 'return class Tc39 extends Step { run(x) { return x * K; } }';
    const fingerprint = (k: number) => {
      const dir = writeProject({ 'tc39.js': `const K = ${k};\n` });
      const cls = new Function('Step', source)(Step) as StepCtor;
      // What a standard decorator gets: the class's metadata object, not the class.
      const metadata = {};
      Object.defineProperty(cls, Symbol.for('Symbol.metadata'), { value: metadata });
      recordDefinitionSite(metadata, join(dir, 'tc39.js'));
      return codeFingerprint(cls, Step);
    };
    expect(fingerprint(1)).toBe(fingerprint(1));
    expect(fingerprint(2)).not.toBe(fingerprint(1));
  });

  it('falls back to the code alone, without failing, when the declaring file cannot be read', () => {
    const source = 'class Lost { run(x) { return x + 1; } }';
    const plain = new Function(`return ${source}`)() as StepCtor;
    const lost = new Function(`return ${source}`)() as StepCtor;
    recordDefinitionSite(lost, join(tmpdir(), 'crystallize-no-such-dir', 'gone.ts'));
    const broken = new Function(`return ${source}`)() as StepCtor;
    recordDefinitionSite(broken, writeProject({ 'broken.ts': 'export const = ;' }) + '/broken.ts');
    expect(codeFingerprint(lost)).toBe(codeFingerprint(plain));
    expect(codeFingerprint(broken)).toBe(codeFingerprint(plain));
  });

  it('is unchanged by Istanbul coverage counters in the step code', () => {
    const file = 'const GAIN = 2;\nfunction helper(x) { return x * GAIN; }\n';
    const dir = writeProject({ 'cov.js': file });
    const source = 'class Cov { run(xs) { return xs.map((x) => (x > 0 ? helper(x) : 0)); } }';
    const plain = new Function(`return ${source}`)() as StepCtor;
    recordDefinitionSite(plain, join(dir, 'cov.js'));
    const instrumented = createInstrumenter({ esModules: false }).instrumentSync(
      `${source}\nglobalThis.__covClass = Cov;`,
      '/virtual/cov.js',
    );
    new Function(instrumented)();
    const covered = (globalThis as Record<string, unknown>)['__covClass'] as StepCtor;
    delete (globalThis as Record<string, unknown>)['__covClass'];
    recordDefinitionSite(covered, join(dir, 'cov.js'));
    expect(covered.toString()).toMatch(/cov_\w+\(\)/);
    expect(codeFingerprint(covered)).toBe(codeFingerprint(plain));
    const noDeps = new Function(`return ${source}`)() as StepCtor;
    expect(codeFingerprint(plain)).not.toBe(codeFingerprint(noDeps));
  });

  it('looks names up in the file where the step class was declared, not where it was decorated from', () => {
    const dir = writeProject({ 'legacy.js': 'const K = 7;\n' });
    const cls = new Function(
      'Step',
      'return class Legacy extends Step { run(x) { return x * K; } }',
    )(Step) as StepCtor;
    recordDefinitionSite(cls, join(dir, 'legacy.js'));
    PipelineStep()(cls.prototype, 'run');
    const noSite = new Function(
      'Step',
      'return class Legacy extends Step { run(x) { return x * K; } }',
    )(Step) as StepCtor;
    PipelineStep()(noSite.prototype, 'run');
    // The decorator ran in this test file, where no K is declared; the recorded site wins.
    expect(codeFingerprint(cls, Step)).not.toBe(codeFingerprint(noSite, Step));
  });
});

describe('code fingerprint dependencies across processes (compiled JavaScript)', () => {
  function fingerprintInChild(files: Files, entry: string): string {
    if (!existsSync(builtCore)) {
      throw new Error(`${builtCore} is missing: run \`sh scripts/pnpm.sh run build\` before jest.`);
    }
    const dir = writeProject(files);
    writeFileSync(
      join(dir, 'print.mjs'),
      [
        `const m = await import(${JSON.stringify(pathToFileURL(join(dir, entry)).href)});`,
        'process.stdout.write(m.make().fingerprint);',
      ].join('\n'),
    );
    return execFileSync(process.execPath, [join(dir, 'print.mjs')], { encoding: 'utf8' }).trim();
  }

  const core = JSON.stringify(pathToFileURL(builtCore).href);
  const esm: Files = {
    'helper.js': 'export function transform(x) { return x + 1; }\nexport const other = 1;\n',
    'steps.js': [
      `import { PipelineStep, Step, pipelineStep } from ${core};`,
      "import { transform } from './helper.js';",
      'const GAIN = 2;',
      'export class Scale extends Step { run(xs) { return xs.map((x) => transform(x) * GAIN); } }',
      "PipelineStep({ cacheable: true })(Scale.prototype, 'run');",
      'export const make = () => new Scale();',
    ].join('\n'),
  };

  it('is the same in two fresh processes and changes with a helper of an ES module', () => {
    const first = fingerprintInChild(esm, 'steps.js');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintInChild(esm, 'steps.js')).toBe(first);
    const unrelated = {
      ...esm,
      'helper.js': (esm['helper.js'] as string).replace('other = 1', 'other = 2'),
    };
    expect(fingerprintInChild(unrelated, 'steps.js')).toBe(first);
    const changed = { ...esm, 'helper.js': (esm['helper.js'] as string).replace('x + 1', 'x + 2') };
    expect(fingerprintInChild(changed, 'steps.js')).not.toBe(first);
  });

  it('reads CommonJS output of tsc (helper_1.transform, exports.GAIN)', () => {
    const cjs: Files = {
      'package.json': '{ "type": "commonjs" }',
      'helper.js': [
        '"use strict";',
        'Object.defineProperty(exports, "__esModule", { value: true });',
        'exports.transform = transform;',
        'function transform(x) { return x + 1; }',
      ].join('\n'),
      'steps.js': [
        '"use strict";',
        'Object.defineProperty(exports, "__esModule", { value: true });',
        'exports.make = exports.GAIN = void 0;',
        `const core_1 = require(${JSON.stringify(builtCore)});`,
        'const helper_1 = require("./helper");',
        'exports.GAIN = 2;',
        'class Scale extends core_1.Step { run(xs) { return xs.map((x) => (0, helper_1.transform)(x) * exports.GAIN); } }',
        "(0, core_1.PipelineStep)({ cacheable: true })(Scale.prototype, 'run');",
        'const make = () => new Scale();',
        'exports.make = make;',
      ].join('\n'),
    };
    const first = fingerprintInChild(cjs, 'steps.js');
    expect(fingerprintInChild(cjs, 'steps.js')).toBe(first);
    const gain = {
      ...cjs,
      'steps.js': (cjs['steps.js'] as string).replace('GAIN = 2', 'GAIN = 3'),
    };
    expect(fingerprintInChild(gain, 'steps.js')).not.toBe(first);
    const helper = { ...cjs, 'helper.js': (cjs['helper.js'] as string).replace('x + 1', 'x + 2') };
    expect(fingerprintInChild(helper, 'steps.js')).not.toBe(first);
  });
});
