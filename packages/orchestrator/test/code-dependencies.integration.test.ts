/*
 * End to end, the way a user works: a TypeScript experiment file run by `node --import tsx`
 * (a fresh process per run, standard decorators as esbuild compiles them), edited between runs.
 * A cacheable step whose helper or constant changed must compute again, and resume must rerun a
 * condition whose data source reads a constant that changed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DataSourceLike } from '@crystallize/core';
import { Experiment, LoggingPlugin } from '@crystallize/orchestrator';
import { ComputeSum } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const orchestratorRoot = resolve(here, '..');
const crystallize = resolve(here, '../../crystallize/dist/index.js');

let dir: string;
beforeAll(() => {
  if (!existsSync(crystallize)) {
    throw new Error(`${crystallize} is missing: run \`sh scripts/pnpm.sh run build\` before jest.`);
  }
  dir = mkdtempSync(join(tmpdir(), 'crystallize-code-deps-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RunReport {
  readonly calls: number;
  readonly hits: boolean[];
  readonly sum: number[];
}

/** Runs `experiment.ts` of the project folder in a fresh node process through tsx. */
function runInChild(project: string, strategy: 'rerun' | 'resume' = 'rerun'): RunReport {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(project, 'experiment.ts'), strategy],
    // tsx resolves from the orchestrator package, which depends on it.
    {
      cwd: orchestratorRoot,
      encoding: 'utf8',
      env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent' },
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as RunReport;
}

function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

const EXPERIMENT = (root: string) => `
import {
  ArtifactPlugin, CacheStore, Experiment, LoggingPlugin, PipelineStep, Step, type FrozenContext,
} from ${JSON.stringify(pathToFileURL(crystallize).href)};
import { transform } from './helpers.js';

const GAIN = 1;
const BASE = 1;
let calls = 0;

function makeData(): number[] {
  return [BASE, BASE + 1, BASE + 2];
}

class Transform extends Step<number[], number[]> {
  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] {
    calls += 1;
    return data.map((x) => transform(x) * GAIN);
  }
}

class Sum extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    ctx.metrics.add('sum', data.reduce((a, b) => a + b, 0));
    return data;
  }
}

const exp = new Experiment({
  name: 'code-deps',
  datasource: () => makeData(),
  pipeline: [Transform, Sum],
  replicates: 2,
  cache: new CacheStore({ dir: ${JSON.stringify(join(root, 'cache'))} }),
  plugins: [
    new ArtifactPlugin({ rootDir: ${JSON.stringify(join(root, 'runs'))} }),
    new LoggingPlugin({ level: 'silent' }),
  ],
});

const strategy = process.argv[2] === 'resume' ? 'resume' : 'rerun';
const result = await exp.run({ strategy });
const reps = result.provenance.ctxChanges['baseline'] ?? {};
const hits = Object.keys(reps).sort().map((r) => reps[Number(r)]?.[0]?.cacheHit === true);
console.log(JSON.stringify({ calls, hits, sum: result.metrics.baseline.metrics['sum'] }));
`;

function project(name: string): string {
  const root = join(dir, name);
  execFileSync('mkdir', ['-p', root]);
  writeFileSync(
    join(root, 'helpers.ts'),
    'export function transform(x: number): number {\n  return x * 2;\n}\n',
  );
  writeFileSync(join(root, 'experiment.ts'), EXPERIMENT(root));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  return root;
}

describe('code dependencies, end to end', () => {
  it('reruns a cacheable step when a helper it imports or a constant it reads changed between runs', () => {
    const root = project('cache');
    // Both replicates get the same input: the second is served by the first's entry.
    expect(runInChild(root)).toEqual({ calls: 1, hits: [false, true], sum: [12, 12] });
    // Same code: served from the cache.
    expect(runInChild(root)).toEqual({ calls: 0, hits: [true, true], sum: [12, 12] });

    replaceIn(join(root, 'helpers.ts'), 'x * 2', 'x * 3');
    expect(runInChild(root)).toEqual({ calls: 1, hits: [false, true], sum: [18, 18] });

    replaceIn(join(root, 'experiment.ts'), 'const GAIN = 1;', 'const GAIN = 10;');
    expect(runInChild(root)).toEqual({ calls: 1, hits: [false, true], sum: [180, 180] });

    // A comment is not code: still a hit.
    replaceIn(join(root, 'helpers.ts'), 'export function', '// triples\nexport function');
    expect(runInChild(root)).toEqual({ calls: 0, hits: [true, true], sum: [180, 180] });
  });

  it('reruns a condition on resume when a constant read by the data source changed', () => {
    const root = project('resume');
    // No cache in the way: every computed condition calls the step twice (two replicates).
    replaceIn(join(root, 'experiment.ts'), 'cacheable: true', 'cacheable: false');
    expect(runInChild(root)).toMatchObject({ calls: 2, sum: [12, 12] });
    // Nothing changed: the stored condition is reused.
    expect(runInChild(root, 'resume')).toMatchObject({ calls: 0, sum: [12, 12] });

    replaceIn(join(root, 'experiment.ts'), 'const BASE = 1;', 'const BASE = 2;');
    expect(runInChild(root, 'resume')).toMatchObject({ calls: 2, sum: [18, 18] });
    expect(runInChild(root, 'resume')).toMatchObject({ calls: 0, sum: [18, 18] });
  });
});

describe('data source fingerprints cover module-level dependencies', () => {
  /*
   * In process: the experiment is built here, but `module` names the fixture file that holds
   * the data source, as if that file had built it. Each version is a fresh folder (a fresh
   * module instance).
   */
  type Made = { datasource: DataSourceLike; file: string };

  async function datasourcePart(files: Record<string, string>): Promise<string> {
    const root = mkdtempSync(join(dir, 'ds-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
    const file = join(root, 'experiment.ts');
    const mod = (await import(file)) as { made: Made['datasource'] };
    const exp = new Experiment({
      datasource: mod.made,
      module: file,
      pipeline: [ComputeSum],
      plugins: [new LoggingPlugin({ level: 'silent' })],
      cache: false,
    });
    return exp.fingerprints(exp.plan())['baseline']!.parts['datasource']!;
  }

  const data = 'export const BASE = 1;\nexport function load(): number[] { return [BASE]; }\n';

  it('follows a data source imported by name to the file that declares it', async () => {
    const files = {
      'data.ts': data,
      'experiment.ts': "import { load } from './data.js';\nexport const made = load;\n",
    };
    const before = await datasourcePart(files);
    expect(await datasourcePart(files)).toBe(before);
    const changed = { ...files, 'data.ts': data.replace('BASE = 1', 'BASE = 2') };
    expect(await datasourcePart(changed)).not.toBe(before);
  });

  it("covers each named input of an ExperimentInput and a DataSource class's helpers", async () => {
    const files = {
      'data.ts': data,
      'experiment.ts': [
        "import { DataSource, ExperimentInput } from '@crystallize/core';",
        "import { load } from './data.js';",
        'const SCALE = 3;',
        'class Scaled extends DataSource<number[]> {',
        '  fetch(): number[] { return load().map((x) => x * SCALE); }',
        '}',
        'export const made = new ExperimentInput({ raw: load, scaled: new Scaled() });',
      ].join('\n'),
    };
    const before = await datasourcePart(files);
    expect(await datasourcePart(files)).toBe(before);
    const base = { ...files, 'data.ts': data.replace('BASE = 1', 'BASE = 2') };
    expect(await datasourcePart(base)).not.toBe(before);
    const scale = {
      ...files,
      'experiment.ts': files['experiment.ts'].replace('SCALE = 3', 'SCALE = 4'),
    };
    expect(await datasourcePart(scale)).not.toBe(before);
  });

  it('counts an imported JSON file by its content', async () => {
    const files = {
      'table.json': '[1, 2, 3]\n',
      'experiment.ts':
        "import table from './table.json' with { type: 'json' };\nexport const made = () => table;\n",
    };
    const before = await datasourcePart(files);
    expect(await datasourcePart(files)).toBe(before);
    expect(await datasourcePart({ ...files, 'table.json': '[1, 2, 4]\n' })).not.toBe(before);
  });
});
