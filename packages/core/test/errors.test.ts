// Imports from the umbrella package: every error class must be reachable from 'crystallize'.
import * as crystallize from 'crystallize';
import {
  CacheError,
  ContextMutationError,
  CrystallizeError,
  InjectionError,
  MissingMetricError,
  PipelineExecutionError,
  StepDefinitionError,
  StorageError,
  ValidationError,
} from 'crystallize';

describe('errors', () => {
  const instances: [string, Error][] = [
    ['ContextMutationError', new ContextMutationError('m')],
    ['InjectionError', new InjectionError('m')],
    ['StepDefinitionError', new StepDefinitionError('m')],
    ['PipelineExecutionError', new PipelineExecutionError('ScaleData', new Error('boom'))],
    ['MissingMetricError', new MissingMetricError('sum', ['loss'])],
    ['ValidationError', new ValidationError(['a'])],
    ['CacheError', new CacheError('m')],
    ['StorageError', new StorageError('/x', 'write', new Error('boom'))],
  ];

  it.each(instances)(
    '%s extends CrystallizeError and Error and carries its own name',
    (name, e) => {
      expect(e).toBeInstanceOf(CrystallizeError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(name);
      expect(Object.getPrototypeOf(e).constructor).toBe(
        (crystallize as unknown as Record<string, unknown>)[name],
      );
    },
  );

  it('exports every error class of SPEC §9 from the crystallize package', () => {
    for (const name of [
      'CrystallizeError',
      'ContextMutationError',
      'InjectionError',
      'PipelineExecutionError',
      'MissingMetricError',
      'ValidationError',
      'CacheError',
    ]) {
      expect(typeof (crystallize as unknown as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('gives PipelineExecutionError the step name and the cause, with both stacks', () => {
    const cause = new TypeError('bad input');
    const e = new PipelineExecutionError('ScaleData', cause, 'baseline, replicate 2');
    expect(e.stepName).toBe('ScaleData');
    expect(e.cause).toBe(cause);
    expect(e.message).toBe("Step 'ScaleData' failed (baseline, replicate 2): bad input");
    expect(e.stack).toContain('Caused by: TypeError: bad input');
    expect(new PipelineExecutionError('S', 'plain string').message).toBe(
      "Step 'S' failed: plain string",
    );
  });

  it('says how to fix a MissingMetricError', () => {
    const e = new MissingMetricError('sum', []);
    expect(e.metric).toBe('sum');
    expect(e.message).toMatch(/Recorded metrics: \(none\)/);
    expect(e.message).toMatch(/ctx\.metrics\.add\('sum', value\)/);
  });

  it('lists every problem of a ValidationError', () => {
    const one = new ValidationError('no treatments', 'Experiment demo');
    expect(one.message).toBe('Experiment demo failed: no treatments');
    const many = new ValidationError(['a', 'b']);
    expect(many.problems).toEqual(['a', 'b']);
    expect(many.message).toBe('Validation failed with 2 problems:\n  - a\n  - b');
  });

  it('lets callers catch all framework failures in one place', () => {
    const ctx = new crystallize.FrozenContext({ a: 1 });
    expect(() => ctx.add('a', 2)).toThrow(CrystallizeError);
  });

  it('names the path, the operation, the OS error code and the fix in a StorageError', () => {
    const cause = Object.assign(new Error("EACCES: permission denied, open '/data/x/v0/a.json'"), {
      code: 'EACCES',
    });
    const e = new StorageError('/data/x/v0/a.json', 'write', cause);
    expect(e.path).toBe('/data/x/v0/a.json');
    expect(e.operation).toBe('write');
    expect(e.code).toBe('EACCES');
    expect(e.cause).toBe(cause);
    expect(e.message).toMatch(/could not write \/data\/x\/v0\/a\.json \(EACCES: permission denied/);
    expect(e.message).toMatch(/check the permissions .* or choose another rootDir/);
    expect(Object.keys(crystallize)).toContain('StorageError');
  });
});
