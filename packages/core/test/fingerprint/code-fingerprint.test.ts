import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInstrumenter } from 'istanbul-lib-instrument';
import { codeFingerprint } from '@crystallize/core';
import { normalizeSource } from '@crystallize/core/internal';

type AnyClass = abstract new (...args: never[]) => unknown;

const here = dirname(fileURLToPath(import.meta.url));
const builtCore = resolve(here, '../../dist/index.js');

/** Evaluates `source` (which must define the class `name`) and returns that class. */
function evaluate(source: string, name: string, base?: AnyClass): AnyClass {
  return new Function('Base', `${source}\nreturn ${name};`)(base) as AnyClass;
}

/** The class `name` from `source` after Istanbul (babel-plugin-istanbul's engine) instrumented it. */
function evaluateInstrumented(source: string, name: string, base?: AnyClass): AnyClass {
  const instrumenter = createInstrumenter({ esModules: false, compact: false });
  const instrumented = instrumenter.instrumentSync(
    `${source}\nglobalThis.__fp_${name} = ${name};`,
    `/virtual/${name}.js`,
  );
  expect(instrumented).toMatch(/cov_\w+\(\)\.s\[\d+\]\+\+/);
  new Function('Base', instrumented)(base);
  const cls = (globalThis as Record<string, unknown>)[`__fp_${name}`] as AnyClass;
  delete (globalThis as Record<string, unknown>)[`__fp_${name}`];
  return cls;
}

// Exercises the constructs Istanbul reshapes: braced if/else and loop bodies, `else {}` for the
// untaken branch, `x => expr` turned into a block, counters inside ternaries, logical
// expressions, default parameters and class fields.
const RICH = `
class Scale {
  factor = 1.5;
  static kind = 'scale';
  #hidden = 0;
  get double() { return this.factor * 2; }
  async run(data, ctx, opts = { k: 2 }) {
    if (!data) return [];
    else if (data.length === 0) return [0];
    else { this.#hidden++; }
    const f = (x) => x * this.factor;
    const g = this.factor > 1 ? 'big' : 'small';
    const h = (ctx && ctx.y) || opts.k;
    let total = 0;
    for (const d of data) if (d > 0) total += d;
    for (let i = 0; i < 2; i++) total += i;
    for (const key in opts) total += key.length;
    while (total > 1000) total /= 2;
    do { total += 0; } while (false);
    switch (g) {
      case 'big': total += 1; break;
      default: total -= 1;
    }
    try { JSON.parse('{'); } catch { total += 0; } finally { total += 0; }
    const maybe = ctx?.get?.('x') ?? \`t\${total}\`;
    function inner(a = 2) { return a; }
    const obj = { m() { return 1; }, [g]: inner() };
    return data.map(f).concat([h, maybe, obj.m()]);
  }
  *ids() { yield 1; }
}`;

describe('codeFingerprint', () => {
  it('is a sha256 hex digest, stable within a process', () => {
    const cls = evaluate('class A { run(x) { return x; } }', 'A');
    expect(codeFingerprint(cls)).toMatch(/^[0-9a-f]{64}$/);
    expect(codeFingerprint(cls)).toBe(
      codeFingerprint(evaluate('class A { run(x) { return x; } }', 'A')),
    );
  });

  it('changes when the code of a class with the same name changes', () => {
    const one = evaluate('class Step1 { run(x) { return x + 1; } }', 'Step1');
    const two = evaluate('class Step1 { run(x) { return x + 2; } }', 'Step1');
    const renamedLocal = evaluate('class Step1 { run(y) { return y + 1; } }', 'Step1');
    expect(one.name).toBe(two.name);
    expect(codeFingerprint(one)).not.toBe(codeFingerprint(two));
    expect(codeFingerprint(one)).not.toBe(codeFingerprint(renamedLocal));
  });

  it('distinguishes literals that differ only in type or spelling of value', () => {
    const fp = (body: string) =>
      codeFingerprint(evaluate(`class L { v() { return ${body}; } }`, 'L'));
    expect(fp('1')).not.toBe(fp("'1'"));
    expect(fp('1n')).not.toBe(fp('1'));
    expect(fp('/a/g')).not.toBe(fp('/a/i'));
    expect(fp('`a${1}`')).not.toBe(fp('`b${1}`'));
  });

  it('ignores formatting, comments and quote style', () => {
    const tidy = evaluate("class F { run(x) { return x + 'a'; } }", 'F');
    const messy = evaluate(
      'class F {\n  // a comment\n  run( x ) {\n\n    return (x) + "a" /* trailing */;\n  }\n}',
      'F',
    );
    expect(codeFingerprint(tidy)).toBe(codeFingerprint(messy));
    expect(normalizeSource('(x) => x + 1')).toBe(normalizeSource('x=>x+1'));
  });

  it('includes base classes up to the stop class', () => {
    const baseA = evaluate('class Base1 { helper() { return 1; } }', 'Base1');
    const baseB = evaluate('class Base1 { helper() { return 2; } }', 'Base1');
    const childSource = 'class Child extends Base { run() { return this.helper(); } }';
    const childA = evaluate(childSource, 'Child', baseA);
    const childB = evaluate(childSource, 'Child', baseB);
    expect(codeFingerprint(childA)).not.toBe(codeFingerprint(childB));
    expect(codeFingerprint(childA, baseA)).toBe(codeFingerprint(childB, baseB));
  });

  it('fingerprints plain functions too', () => {
    const f = (x: number) => x * 2;
    const g = (x: number) => x * 3;
    expect(codeFingerprint(f)).not.toBe(codeFingerprint(g));
  });
});

describe('codeFingerprint under coverage instrumentation', () => {
  it('is identical for a class and its Istanbul-instrumented version', () => {
    const plain = evaluate(RICH, 'Scale');
    const instrumented = evaluateInstrumented(RICH, 'Scale');
    expect(instrumented.toString()).not.toBe(plain.toString());
    expect(codeFingerprint(instrumented)).toBe(codeFingerprint(plain));
  });

  it('still changes when instrumented code really changed', () => {
    const changed = RICH.replace('total += i;', 'total -= i;');
    expect(changed).not.toBe(RICH);
    const a = evaluateInstrumented(RICH, 'Scale');
    const b = evaluateInstrumented(changed, 'Scale');
    expect(codeFingerprint(a)).not.toBe(codeFingerprint(b));
    expect(codeFingerprint(b)).toBe(codeFingerprint(evaluate(changed, 'Scale')));
  });

  it.each([
    ['an arrow with an expression body', 'x => x + 1', 'x => x - 1'],
    [
      'an if without braces',
      'x => { if (x) return 1; return 2; }',
      'x => { if (x) return 1; return 3; }',
    ],
    [
      'an else-if chain',
      'x => { if (x > 1) { return 1; } else if (x) { return 2; } return 3; }',
      'x => { if (x > 1) { return 1; } else if (!x) { return 2; } return 3; }',
    ],
    ['a ternary', 'x => (x ? 1 : 2)', 'x => (x ? 2 : 1)'],
    [
      'a loop without braces',
      'xs => { let s = 0; for (const x of xs) s += x; return s; }',
      'xs => { let s = 0; for (const x of xs) s -= x; return s; }',
    ],
  ])('survives instrumentation of %s and still tells code apart', (_label, source, changed) => {
    const wrap = (body: string) => `class K { run = ${body}; }`;
    const plain = codeFingerprint(evaluate(wrap(source), 'K'));
    expect(codeFingerprint(evaluateInstrumented(wrap(source), 'K'))).toBe(plain);
    expect(codeFingerprint(evaluateInstrumented(wrap(changed), 'K'))).not.toBe(plain);
  });
});

describe('codeFingerprint across processes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crystallize-fp-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function fingerprintInChild(source: string, name: string): string {
    if (!existsSync(builtCore)) {
      throw new Error(
        `${builtCore} is missing: run \`npx tsc -b tsconfig.build.json\` before jest.`,
      );
    }
    const script = join(dir, 'fingerprint.mjs');
    writeFileSync(
      script,
      [
        `import { codeFingerprint } from ${JSON.stringify(pathToFileURL(builtCore).href)};`,
        'const [source, name] = process.argv.slice(2);',
        'const cls = new Function(`${source}\\nreturn ${name};`)();',
        'process.stdout.write(codeFingerprint(cls));',
      ].join('\n'),
    );
    return execFileSync(process.execPath, [script, source, name], { encoding: 'utf8' }).trim();
  }

  it('gives the same fingerprint in a fresh node process as in this one', () => {
    const inProcess = codeFingerprint(evaluate(RICH, 'Scale'));
    const first = fingerprintInChild(RICH, 'Scale');
    const second = fingerprintInChild(RICH, 'Scale');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(first).toBe(second);
    expect(first).toBe(inProcess);
  });

  it('gives a different fingerprint in another process when the code differs', () => {
    const other = RICH.replace("'big'", "'large'");
    expect(fingerprintInChild(other, 'Scale')).not.toBe(codeFingerprint(evaluate(RICH, 'Scale')));
  });
});
