/*
 * loadExperiment / loadExperimentGraph, run as users run them: the built package, in a child
 * process, on fixture folders copied into a fresh project (TypeScript modules load through tsx).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkspace, node, tempProject } from './helpers/temp-project.js';

const loadFolder = join(import.meta.dirname, 'helpers', 'load-folder.mjs');

interface Issue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  excerpt: string;
}
interface Loaded {
  configError?: {
    file: string;
    line: number;
    column: number;
    message: string;
    issues: Issue[];
    isValidationError: boolean;
  };
  [key: string]: unknown;
}

function load(
  root: string,
  folder: string,
  mode = 'describe',
  options: Record<string, unknown> = {},
): Loaded {
  const run = node(
    loadFolder,
    [join(root, 'experiments', folder), mode, JSON.stringify(options)],
    root,
  );
  if (run.status !== 0 && run.status !== 2)
    throw new Error(`load-folder failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as Loaded;
}

function issues(root: string, folder: string): Issue[] {
  const out = load(root, folder);
  if (!out.configError)
    throw new Error(`expected a ConfigError for ${folder}, got ${JSON.stringify(out)}`);
  return out.configError.issues;
}

beforeAll(buildWorkspace, 180_000);

describe('loadExperiment: every key of the SPEC example', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('valid');
  });

  it('builds the experiment config.yaml and the folder modules describe', () => {
    const d = load(root, 'scale-demo');
    expect(d.configError).toBeUndefined();
    expect(d).toMatchObject({
      name: 'scale-demo',
      replicates: 4,
      seed: 42,
      execution: 'ParallelExecution',
      workers: 2,
      outputs: ['totals.json'],
      datasource: 'FunctionDataSource',
      steps: [
        { name: 'ScaleData', params: { factor: 1.5 } },
        { name: 'Normalize', params: {} },
        { name: 'ComputeSum', params: { totals: 'Artifact(totals.json)' } },
      ],
      treatments: [
        { name: 'baseline', values: {} },
        { name: 'double', values: { scale_factor: 2 } },
        { name: 'shifted', values: { shift: 1 } },
      ],
      hypotheses: [
        {
          name: 'sum_grows',
          verifier: 'welchTTest',
          params: { alpha: 0.01, alternative: 'two-sided' },
          groups: [['sum']],
          adjust: 'holm',
        },
        { name: 'sum_differs', verifier: 'sumGap', params: { min: 0.1 }, groups: [['sum']] },
      ],
    });
  }, 60_000);

  it('coerces a YAML string to the type of the @Param it sets ("1.5" for a number)', () => {
    const d = load(root, 'scale-demo');
    expect((d['steps'] as { params: Record<string, unknown> }[])[0]?.params['factor']).toBe(1.5);
  }, 60_000);

  it('runs in worker threads exactly as it runs serially and async, writing the output artifact', () => {
    const parallel = load(root, 'scale-demo', 'run') as Record<string, unknown>;
    const serial = load(root, 'scale-demo', 'run', { execution: 'serial' }) as Record<
      string,
      unknown
    >;
    const asyncRun = load(root, 'scale-demo', 'run', { execution: 'async', workers: 3 }) as Record<
      string,
      unknown
    >;
    expect(parallel['errors']).toEqual([]);
    expect(serial['execution']).toBe('SerialExecution');
    expect(asyncRun['execution']).toBe('AsyncExecution');
    expect(parallel['metrics']).toEqual(serial['metrics']);
    expect(asyncRun['metrics']).toEqual(serial['metrics']);
    const metrics = serial['metrics'] as {
      baseline: { metrics: { sum: number[] } };
      hypotheses: { name: string; results: Record<string, { p_value_adjusted?: number }> }[];
    };
    expect(metrics.baseline.metrics.sum).toHaveLength(4);
    expect(metrics.hypotheses.map((h) => h.name)).toEqual(['sum_grows', 'sum_differs']);
    expect(metrics.hypotheses[0]?.results['double']?.p_value_adjusted).toEqual(expect.any(Number));
    const dir = serial['dir'] as string;
    expect(existsSync(join(root, dir, 'replicate_0', 'double', 'ComputeSum', 'totals.json'))).toBe(
      true,
    );
  }, 120_000);

  it('takes pipelineStep() and Step.with() factories and a DataSource class, YAML params overriding', () => {
    const d = load(root, 'step-kinds', 'run') as Record<string, unknown>;
    expect(d['datasource']).toBe('Counter');
    expect(
      (d['steps'] as { name: string; params: unknown }[]).map((s) => [s.name, s.params]),
    ).toEqual([
      ['addOne', {}],
      ['addOne', { delta: 2 }],
      ['Scale', { factor: 3 }],
      ['Scale', { factor: 10 }],
      ['Record', {}],
    ]);
    // replicate r: ((r + 1 + 2) * 3) * 10
    expect(
      (d['metrics'] as { baseline: { metrics: { value: number[] } } }).baseline.metrics.value,
    ).toEqual([90, 120]);
  }, 60_000);

  it('reads an upstream folder output through "up#output" among several named inputs, and loads the graph', () => {
    const d = load(root, 'evaluate');
    expect(d).toMatchObject({ datasource: 'ExperimentInput', inputs: ['values', 'offset'] });
    const results = load(root, '.', 'graph') as Record<
      string,
      { metrics: { baseline: { metrics: Record<string, number[]> } }; errors: string[] }
    >;
    expect(Object.keys(results)).toEqual(['prepare', 'evaluate']);
    // prepare doubles [1, 2, 3] -> 12; evaluate adds the offset input 10.
    expect(results['evaluate']?.metrics.baseline.metrics['total']).toEqual([22, 22, 22]);
  }, 120_000);
});

describe('ConfigError: every problem of a file at once, each with file:line:column', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('errors');
    // Files that do not parse are written here, so the repository's linters never see them.
    const broken = join(root, 'experiments', 'broken-module');
    mkdirSync(broken);
    writeFileSync(join(broken, 'config.yaml'), 'datasource: numbers\nsteps:\n  - Emit\n');
    writeFileSync(
      join(broken, 'datasources.ts'),
      'export const numbers = (): number[] => [1, 2, 3];\n',
    );
    writeFileSync(
      join(broken, 'steps.ts'),
      [
        "import { PipelineStep, Step } from 'crystallize';",
        '',
        'export class Emit extends Step<number[], number[]> {',
        '  @PipelineStep()',
        '  run(data: number[]): number[] {',
        '    return data.map((x) => x * );',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const yaml = join(root, 'experiments', 'yaml-syntax');
    mkdirSync(yaml);
    writeFileSync(
      join(yaml, 'config.yaml'),
      'datasource: numbers\nsteps:\n  - Emit: { factor: 2\ntreatments:\n  double: {}\n',
    );
  });

  it('is a ValidationError carrying file, line and column of the first problem', () => {
    const out = load(root, 'unknown-key').configError;
    expect(out?.isValidationError).toBe(true);
    expect(out?.file.endsWith(join('unknown-key', 'config.yaml'))).toBe(true);
    expect([out?.line, out?.column]).toEqual([2, 1]);
  }, 60_000);

  it('reports unknown keys with the key path and a "did you mean", at every level', () => {
    const list = issues(root, 'unknown-key');
    expect(list.map((i) => [i.line, i.column, i.path])).toEqual([
      [2, 1, 'replicats'],
      [4, 8, 'cli.gruop'],
      [9, 5, 'hypotheses[0].metric'],
    ]);
    expect(list[0]?.message).toContain("unknown key 'replicats'. Did you mean 'replicates'?");
    expect(list[1]?.message).toContain("Did you mean 'group'?");
    expect(list[2]?.message).toContain("Did you mean 'metrics'?");
  }, 60_000);

  it('shows two source lines and a caret under the problem', () => {
    const [first] = issues(root, 'unknown-key');
    expect(first?.excerpt).toBe(
      ['  1 | name: unknown-key', '  2 | replicats: 3', '    | ^'].join('\n'),
    );
  }, 60_000);

  it('names a missing module instead of silently dropping what needs it', () => {
    const list = issues(root, 'missing-module');
    expect(list.map((i) => [i.line, i.path])).toEqual([
      [3, 'steps[0]'],
      [7, 'hypotheses[0].verifier'],
    ]);
    expect(list[0]?.message).toContain('The folder has no steps module (looked for steps.ts');
    expect(list[1]?.message).toContain('The folder has no verifiers module');
    expect(list[1]?.message).toContain("'welchTTest'"); // built-ins are listed
  }, 60_000);

  it('lists the available steps, verifiers and data sources for an unknown name', () => {
    const list = issues(root, 'unknown-names');
    const at = (path: string): Issue | undefined => list.find((i) => i.path === path);
    expect(at('datasource')?.message).toMatch(
      /unknown data source 'numbrs'\. Did you mean 'numbers'\? Available in datasources\.ts: 'numbers'/,
    );
    expect(at('steps[1]')?.message).toMatch(
      /unknown step 'Normalise'\. Did you mean 'Normalize'\? Available in steps\.ts: 'Emit', 'Normalize'/,
    );
    expect(at('steps[2]')?.message).toContain(
      "'notAStep' is exported by steps.ts but is not a step",
    );
    expect(at('hypotheses[0].verifier')?.message).toMatch(
      /unknown verifier 'welchTest'\. Did you mean 'welchTTest'\?/,
    );
    expect(at('hypotheses[1].verifier.welchTTest.alpah')?.message).toContain(
      "Did you mean 'alpha'?",
    );
    expect(at('steps[1]')?.line).toBe(4);
  }, 60_000);

  it('reports wrong value types with what was expected and what was found', () => {
    const list = issues(root, 'wrong-types');
    const byPath = Object.fromEntries(list.map((i) => [i.path, i]));
    expect(byPath['replicates']?.message).toBe(
      'expected a whole number >= 1, got the string "three"',
    );
    expect(byPath['seed']?.message).toContain('expected a whole number');
    expect(byPath['execution']?.message).toContain("expected 'serial', 'async' or 'parallel'");
    expect(byPath['treatments']?.message).toContain('got a list');
    expect(byPath['hypotheses[0].adjust']?.message).toContain("expected 'holm' or 'bh'");
    expect(byPath['steps[0].Normalize.factor']?.message).toContain(
      'expected a number, got the string "abc"',
    );
    expect(byPath['steps[1].Normalize.factor']).toBeUndefined(); // "2.5" coerces
    expect(byPath['replicates']?.line).toBe(1);
  }, 60_000);

  it('rejects a reference to a folder that does not exist (ghost#out)', () => {
    const [issue] = issues(root, 'ghost-ref');
    expect(issue?.path).toBe('datasource');
    expect(issue?.message).toContain("no folder experiment 'ghost' beside this one");
  }, 60_000);

  it('rejects a reference to an output the upstream does not declare, suggesting the right one', () => {
    const [issue] = issues(root, 'no-output');
    expect(issue?.message).toContain(
      "experiment 'producer' has no output 'numbrs'. Did you mean 'numbers'?",
    );
  }, 60_000);

  it('rejects an output that no step writes', () => {
    const [issue] = issues(root, 'unwritten-output');
    expect(issue?.path).toBe('outputs.totals');
    expect(issue?.message).toContain("output 'totals' is not written by any step");
  }, 60_000);

  it('rejects experiments that read each other in a cycle, naming it', () => {
    const list = issues(root, 'cycle-a');
    expect(list.some((i) => i.message.includes('in a cycle: cycle-a -> cycle-b -> cycle-a'))).toBe(
      true,
    );
  }, 60_000);

  it('reports a YAML syntax error at its position', () => {
    const [issue] = issues(root, 'yaml-syntax');
    expect([issue?.line, issue?.column]).toEqual([4, 1]);
  }, 60_000);

  it('reports a module that does not compile at its own line and column', () => {
    const [issue] = issues(root, 'broken-module');
    expect(issue?.file.endsWith('steps.ts')).toBe(true);
    expect([issue?.line, issue?.column]).toEqual([6, 31]);
    expect(issue?.excerpt).toContain('^');
  }, 60_000);
});
