/* The schema check of config.yaml on its own (no modules): positions, key paths, suggestions. */
import { suggest } from '../src/internal/did-you-mean.js';
import { parseConfig } from '../src/schema/parse-config.js';

const parse = (text: string): ReturnType<typeof parseConfig> => parseConfig('/p/config.yaml', text);

describe('parseConfig', () => {
  it('accepts every key of the SPEC example', () => {
    const { issues, config } = parse(
      [
        'name: scale-demo',
        'description: Scale, normalise, sum',
        'replicates: 8',
        'seed: 42',
        'execution: parallel',
        'workers: 2',
        'cli: { group: Demo, priority: 1, hidden: false }',
        'datasource: load_numbers',
        'steps:',
        '  - ScaleData: { factor: 1.5 }',
        '  - Normalize',
        'outputs:',
        '  totals: { file_name: totals.json, writer: write_json, loader: read_json }',
        'treatments:',
        '  baseline: {}',
        '  double: { scale_factor: 2 }',
        'hypotheses:',
        '  - name: sum_grows',
        '    verifier: { welchTTest: { alpha: 0.01, alternative: greater } }',
        '    metrics: [[sum], [sum, count]]',
        '    adjust: bh',
        '',
      ].join('\n'),
    );
    expect(issues).toEqual([]);
    expect(config.steps).toEqual([{ ScaleData: { factor: 1.5 } }, 'Normalize']);
    expect(config.hypotheses?.[0]?.metrics).toEqual([['sum'], ['sum', 'count']]);
  });

  it('reports every problem of the file at once, in source order', () => {
    const { issues } = parse('replicates: 0\nexecution: fast\nstepz: []\ndatasource: 3\n');
    expect(issues.map((i) => `${i.line}:${i.column} ${i.path}`)).toEqual([
      '1:1 steps', // required, missing: the file's start
      '1:13 replicates',
      '2:12 execution',
      '3:1 stepz',
      '4:13 datasource',
    ]);
  });

  it('says a required key is missing, pointing at the file', () => {
    const { issues } = parse('datasource: x\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'steps', line: 1, column: 1 });
    expect(issues[0]?.message).toMatch(/^is required: expected a list of steps/);
  });

  it('still hands on the keys that are valid, so names can be checked in the same pass', () => {
    const { config } = parse('replicates: two\ndatasource: numbers\nsteps: [A]\n');
    expect(config).toEqual({ datasource: 'numbers', steps: ['A'] });
  });
});

describe('suggest', () => {
  it('suggests a close name, a different case, and nothing for a distant one', () => {
    expect(suggest('Normalise', ['ScaleData', 'Normalize'])).toBe('Normalize');
    expect(suggest('scaledata', ['ScaleData'])).toBe('ScaleData');
    expect(suggest('zzz', ['ScaleData', 'Normalize'])).toBeUndefined();
  });
});
