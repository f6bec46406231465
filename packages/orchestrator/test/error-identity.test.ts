/*
 * Issue #10 point 7: a failed replicate's error keeps its identity in serial and async runs —
 * the class, `cause`, own properties and stack the code threw — and logs name its real class.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CacheStore } from '@crystallize/cache';
import {
  CacheError,
  DataSource,
  InjectionError,
  Param,
  PipelineExecutionError,
  PipelineStep,
  Step,
} from '@crystallize/core';
import {
  ArtifactPlugin,
  AsyncExecution,
  Experiment,
  LoggingPlugin,
  SerialExecution,
  type ExecutionPlugin,
} from '@crystallize/orchestrator';
import { quietPlugins, tempDir } from './helpers.js';

class MyDomainError extends Error {
  readonly code: string;
  readonly detail = { row: 7 };
  constructor(message: string, code: string) {
    super(message);
    this.name = 'MyDomainError';
    this.code = code;
  }
}

const thrown: MyDomainError[] = [];

class Domain extends Step<number[], number[]> {
  @PipelineStep()
  run(): number[] {
    const e = new MyDomainError('row 7 is malformed', 'E_ROW');
    thrown.push(e);
    throw e;
  }
}

/** Needs `shift`, which has no default and is in no context: an InjectionError. */
class NeedsShift extends Step<number[], number[]> {
  @Param() shift!: number;
  @PipelineStep()
  run(data: number[]): number[] {
    return data.map((x) => x + this.shift);
  }
}

class Cached extends Step<number[], number[]> {
  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] {
    return data;
  }
}

const executions: [string, () => ExecutionPlugin][] = [
  ['serial', () => new SerialExecution()],
  ['async', () => new AsyncExecution({ concurrency: 2 })],
];

describe.each(executions)('errors keep their identity (%s)', (_label, execution) => {
  it("keeps a user error's class, code, own data and original stack as the cause", async () => {
    thrown.length = 0;
    const exp = new Experiment({
      name: 'domain-error',
      datasource: () => [1],
      pipeline: [Domain],
      plugins: [execution(), ...quietPlugins()],
      cache: false,
    });
    const result = await exp.run({ replicates: 2 });
    const err = result.errors['baseline_rep_1'];
    expect(err).toBeInstanceOf(PipelineExecutionError);
    const cause = (err as PipelineExecutionError).cause;
    expect(cause).toBeInstanceOf(MyDomainError);
    expect(cause).toBe(thrown[1]);
    expect((cause as MyDomainError).code).toBe('E_ROW');
    expect((cause as MyDomainError).detail).toEqual({ row: 7 });
    expect((cause as MyDomainError).stack).toBe(thrown[1]?.stack);
  });

  it('keeps an InjectionError an InjectionError', async () => {
    const exp = new Experiment({
      name: 'injection-error',
      datasource: () => [1],
      pipeline: [NeedsShift],
      plugins: [execution(), ...quietPlugins()],
      cache: false,
    });
    const result = await exp.run();
    const err = result.errors['baseline_rep_0'] as PipelineExecutionError;
    expect(err).toBeInstanceOf(PipelineExecutionError);
    expect(err.stepName).toBe('NeedsShift');
    expect(err.cause).toBeInstanceOf(InjectionError);
    expect((err.cause as Error).message).toMatch(/parameter 'shift' has no default/);
  });

  it('keeps a CacheError a CacheError', async () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, 'x');
    const exp = new Experiment({
      name: 'cache-error',
      datasource: () => [1],
      pipeline: [Cached],
      plugins: [execution(), ...quietPlugins()],
      // A folder under a regular file: every cache write fails.
      cache: new CacheStore({ dir: join(file, 'cache') }),
    });
    const result = await exp.run();
    const err = result.errors['baseline_rep_0'] as PipelineExecutionError;
    expect(err).toBeInstanceOf(PipelineExecutionError);
    expect(err.cause).toBeInstanceOf(CacheError);
  });

  it('logs a failed replicate with its real error class in run.log', async () => {
    const root = tempDir();
    const exp = new Experiment({
      name: 'logged-error',
      datasource: () => [1],
      pipeline: [NeedsShift],
      plugins: [
        execution(),
        new ArtifactPlugin({ rootDir: root }),
        new LoggingPlugin({ level: 'silent' }),
      ],
      cache: false,
    });
    await exp.run();
    const log = readFileSync(join(root, 'logged-error', 'v0', 'run.log'), 'utf8');
    const line = log
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as {
            err?: { type: string; message: string; stack: string };
            step?: string;
          },
      )
      .find((l) => l.err !== undefined);
    expect(line?.err?.type).toBe('InjectionError');
    expect(line?.err?.message).toMatch(/parameter 'shift'/);
    expect(line?.err?.stack).toMatch(/InjectionError/);
    expect(line?.step).toBe('NeedsShift');
    expect(log).not.toContain('"type":"Object"');
  });
});

describe('data source failures', () => {
  it("names an inline data source 'datasource', not 'datasource datasource'", async () => {
    const exp = new Experiment({
      name: 'ds-name',
      datasource: () => {
        throw new MyDomainError('no file', 'E_NOFILE');
      },
      pipeline: [Cached],
      plugins: quietPlugins(),
      cache: false,
    });
    const result = await exp.run();
    const err = result.errors['baseline_rep_0'] as PipelineExecutionError;
    expect(err.stepName).toBe('datasource');
    expect(err.message).toBe("Step 'datasource' failed: no file");
    expect(err.cause).toBeInstanceOf(MyDomainError);
  });

  it('names a named data source once: datasource (Csv)', async () => {
    class Csv extends DataSource<number[]> {
      fetch(): number[] {
        throw new Error('missing.csv');
      }
    }
    const exp = new Experiment({
      name: 'ds-class-name',
      datasource: new Csv(),
      pipeline: [Cached],
      plugins: quietPlugins(),
      cache: false,
    });
    const result = await exp.run();
    expect(result.errors['baseline_rep_0']?.message).toBe(
      "Step 'datasource (Csv)' failed: missing.csv",
    );
  });
});
