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
