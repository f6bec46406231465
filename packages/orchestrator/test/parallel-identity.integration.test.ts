import { rmSync } from 'node:fs';
import {
  CacheError,
  CrystallizeError,
  InjectionError,
  ValidationError,
  treatment,
} from '@crystallize/core';
import {
  type Experiment,
  ParallelExecution,
  type Result,
  SerialExecution,
} from '@crystallize/orchestrator';
import {
  type MyDomainError,
  ROOT,
  type Scaled,
  addTen,
  factoryExp,
  makeExperiment,
  mutableExp,
  throwingParallel,
  throwingSerial,
} from './fixtures/parallel-identity.js';

/** Worker start-up and a TypeScript loader make these slower than unit tests. */
const SLOW = 60_000;

const opened: Experiment[] = [factoryExp, mutableExp, throwingParallel];

afterAll(async () => {
  for (const exp of opened) {
    const exec = exp.execution;
    if (exec instanceof ParallelExecution) await exec.close();
  }
  rmSync(ROOT, { recursive: true, force: true });
}, SLOW);

function parallelOf(exp: Experiment): Experiment {
  opened.push(exp);
  return exp;
}

/** The metrics of every condition (what a user would publish). */
function metrics(result: Result): unknown {
  return {
    baseline: result.metrics.baseline.metrics,
    treatments: Object.fromEntries(
      Object.entries(result.metrics.treatments).map(([k, v]) => [k, v.metrics]),
    ),
    errors: Object.keys(result.errors).sort(),
  };
}

/** Runs `exp` and expects it to fail before any replicate, naming every `parts`. */
async function refused(exp: Experiment, ...parts: RegExp[]): Promise<ValidationError> {
  let error: unknown;
  try {
    await exp.run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  const message = (error as Error).message;
  expect(message).toMatch(/differs from the one rebuilt from .*parallel-identity\.ts.*nothing ran/);
  for (const p of parts) expect(message).toMatch(p);
  return error as ValidationError;
}

describe('ParallelExecution runs exactly the experiment run() was called on', () => {
  it(
    'the exported experiment gives the same metrics in workers as serially',
    async () => {
      const parallel = await factoryExp.run();
      const serial = await makeExperiment({ execution: new SerialExecution() }).run();
      expect(metrics(parallel)).toEqual(metrics(serial));
      expect(parallel.metrics.treatments['add-ten']?.metrics['y']).toEqual([10, 11, 12]);
    },
    SLOW,
  );

  it(
    'run-level replicates and value treatments travel to the workers: metrics equal serial',
    async () => {
      const options = {
        replicates: 4,
        treatments: [treatment('triple-offset', { offset: 3 }), addTen],
      };
      const parallel = await factoryExp.run(options);
      const serial = await makeExperiment({ execution: new SerialExecution() }).run(options);
      expect(metrics(parallel)).toEqual(metrics(serial));
      expect(parallel.metrics.treatments['triple-offset']?.metrics['y']).toEqual([3, 4, 5, 6]);
    },
    SLOW,
  );

  it(
    'a factory-built experiment with other step params fails before any replicate, naming the step and param',
    async () => {
      const error = await refused(
        parallelOf(makeExperiment({ scale: 3 })),
        /step 'Scaled' \(#1\) param 'scale': \{"explicit":3\} in the experiment run\(\) was called on, \{"explicit":1\} in the module's export 'id-factory'/,
      );
      expect(error.problems).toHaveLength(2); // the headline and the one differing part
    },
    SLOW,
  );

  it(
    'an export reconfigured after import fails in the worker before any replicate, naming the param',
    async () => {
      const step = mutableExp.pipeline.steps[0] as Scaled;
      step.scale = 5;
      try {
        await refused(
          mutableExp,
          /step 'Scaled' \(#1\) param 'scale': \{"default":5\} in the experiment run\(\) was called on, \{"default":1\} in the worker/,
        );
      } finally {
        step.scale = 1;
      }
      // Put back as the module defines it, the same export runs.
      const again = await mutableExp.run();
      expect(again.metrics.baseline.metrics['y']).toEqual([0, 1, 2]);
    },
    SLOW,
  );

  it(
    'a factory-built experiment with another data source fails before any replicate, naming the data source',
    async () => {
      await refused(
        parallelOf(
          makeExperiment({ datasource: (ctx) => 100 + (ctx.get<number>('replicate') ?? 0) }),
        ),
        /datasource: .* in the experiment run\(\) was called on, .* in the module's export/,
      );
    },
    SLOW,
  );

  it(
    'a factory-built experiment with other treatments fails before any replicate when a function treatment differs',
    async () => {
      const other = treatment('add-ten', (ctx) => ctx.add('bonus', 99));
      await refused(
        parallelOf(makeExperiment({ treatments: [treatment('double', { offset: 2 }), other] })),
        /function treatment 'add-ten'/,
      );
    },
    SLOW,
  );

  it(
    'a factory-built experiment with another initial context fails before any replicate, naming the key',
    async () => {
      await refused(
        parallelOf(makeExperiment({ initialCtx: { offset: 7 } })),
        /initial context 'offset': 7 in the experiment run\(\) was called on, 0 in the module's export/,
      );
    },
    SLOW,
  );

  it(
    "a function treatment given to run() that is not the experiment's own is refused before any replicate",
    async () => {
      const run = factoryExp.run({
        treatments: [treatment('add-ten', (ctx) => ctx.add('bonus', 1))],
      });
      await expect(run).rejects.toThrow(ValidationError);
      await expect(run).rejects.toThrow(/treatment 'add-ten' given to run\(\) is a function/);
    },
    SLOW,
  );

  it(
    'a factory-built experiment with the same configuration as the export runs, equal to serial',
    async () => {
      // Same step params, the module's own data source and treatment objects: the same configuration.
      const twin = parallelOf(
        makeExperiment({ treatments: [treatment('double', { offset: 2 }), addTen] }),
      );
      const serial = await makeExperiment({ execution: new SerialExecution() }).run();
      expect(metrics(await twin.run())).toEqual(metrics(serial));
    },
    SLOW,
  );
});

describe('ParallelExecution keeps the identity of errors thrown in workers', () => {
  it(
    'a framework error comes back as its real class, a user error with its name, message, stack, code, data and cause',
    async () => {
      const parallel = await throwingParallel.run();
      const serial = await throwingSerial.run();
      expect(Object.keys(parallel.errors).sort()).toEqual([
        'baseline_rep_0',
        'baseline_rep_1',
        'baseline_rep_2',
      ]);
      for (const result of [parallel, serial]) {
        const injection = result.errors['baseline_rep_0'] as Error & { stepName?: string };
        expect(injection.name).toBe('PipelineExecutionError');
        expect(injection.stepName).toBe('Throws');
        expect(injection).toBeInstanceOf(CrystallizeError);
        expect(injection.cause).toBeInstanceOf(InjectionError);
        expect((injection.cause as Error).message).toBe("param 'k' could not be resolved");
        expect((injection.cause as Error).stack).toContain('Throws.run');

        const domain = (result.errors['baseline_rep_1'] as Error).cause as MyDomainError;
        expect(domain).toBeInstanceOf(Error);
        expect(domain.name).toBe('MyDomainError');
        expect(domain.message).toBe('bad input row');
        expect(domain.code).toBe('E42');
        expect(domain.detail).toEqual({ rows: [1, 2], where: 'input.csv' });
        expect(domain.stack).toContain('bad input row');
        expect(domain.stack).toContain('Throws.run');
        expect(domain.cause).toBeInstanceOf(RangeError);
        expect((domain.cause as Error).message).toBe('row 2 out of range');

        const cache = (result.errors['baseline_rep_2'] as Error).cause as CacheError;
        expect(cache).toBeInstanceOf(CacheError);
        expect(cache.name).toBe('CacheError');
        const system = cache.cause as Error & { code?: string; errno?: number };
        expect(system.message).toBe('ENOSPC: no space left');
        expect(system.code).toBe('ENOSPC');
        expect(system.errno).toBe(-28);
      }
      // The worker's stack, not one made in the parent.
      const stack = ((parallel.errors['baseline_rep_1'] as Error).cause as Error).stack;
      expect(stack).not.toContain('decodeError');
      expect(parallel.metrics.baseline.metrics['x']).toEqual([3]);
    },
    SLOW,
  );
});
