import {
  type FrozenContext,
  InjectionError,
  Step,
  StepDefinitionError,
  pipelineStep,
  standaloneContext,
  withMetrics,
  isWithMetrics,
} from '@crystallize/core';
import { toStep } from '@crystallize/core/internal';

const add = pipelineStep({ params: { delta: 1 } }, (xs: number[], _ctx, { delta }) =>
  xs.map((x) => x + delta),
);

describe('pipelineStep', () => {
  it('gives step instances from add() and add({ delta })', async () => {
    const plain = add();
    const two = add({ delta: 2 });
    expect(plain).toBeInstanceOf(Step);
    expect(toStep(two)).toBe(two);
    await expect(plain.call([1, 2], standaloneContext())).resolves.toEqual([2, 3]);
    await expect(two.call([1, 2], standaloneContext())).resolves.toEqual([3, 4]);
    expect(plain.params).toEqual({});
    expect(two.params).toEqual({ delta: 2 });
  });

  it('injects parameters explicit > context > default', async () => {
    const ctx = standaloneContext({ delta: 10 });
    await expect(add().call([0], ctx)).resolves.toEqual([10]);
    await expect(add({ delta: 2 }).call([0], ctx)).resolves.toEqual([2]);
    await expect(add().call([0], standaloneContext())).resolves.toEqual([1]);
  });

  it('coerces context strings to the type of the default', async () => {
    await expect(add().call([0], standaloneContext({ delta: '2.5' }))).resolves.toEqual([2.5]);
  });

  it('fails with an InjectionError when a parameter without default is missing', async () => {
    const need = pipelineStep(
      { name: 'needsK', params: { k: undefined as number | undefined } },
      (x: number, _ctx, { k }) => x * k!,
    );
    await expect(need().call(2, standaloneContext({ k: 3 }))).resolves.toBe(6);
    await expect(need().call(2, standaloneContext())).rejects.toThrow(
      /Step 'needsK': parameter 'k' has no default/,
    );
  });

  it('rejects an unknown explicit parameter at construction, naming it', () => {
    expect(() => add({ dleta: 2 } as never)).toThrow(InjectionError);
    expect(() => add({ dleta: 2 } as never)).toThrow(/'dleta'/);
  });

  it('takes its name from the options, else from the function', () => {
    expect(add().name).toBe('functionStep');
    const named = pipelineStep({ name: 'shift' }, (x: number) => x);
    expect(named().name).toBe('shift');
    expect(named.stepName).toBe('shift');
    function double(x: number): number {
      return x * 2;
    }
    expect(pipelineStep({}, double)().name).toBe('double');
  });

  it('is cacheable only when asked', () => {
    expect(add().cacheable).toBe(false);
    expect(pipelineStep({ cacheable: true }, (x: number) => x)().cacheable).toBe(true);
  });

  it('passes the context to the function and supports async functions', async () => {
    const tagged = pipelineStep({}, async (x: string, ctx: FrozenContext) => {
      await Promise.resolve();
      return `${x}:${String(ctx.get('condition'))}`;
    });
    await expect(tagged().call('a', standaloneContext())).resolves.toBe('a:baseline');
  });

  it('has a stepHash that changes with params, version and the function code', () => {
    expect(add().stepHash).toBe(add().stepHash);
    expect(add({ delta: 2 }).stepHash).not.toBe(add().stepHash);
    const v1 = pipelineStep({ name: 's', version: 1 }, (x: number) => x);
    const v2 = pipelineStep({ name: 's', version: 2 }, (x: number) => x);
    const other = pipelineStep({ name: 's', version: 1 }, (x: number) => x + 1);
    expect(v1().stepHash).not.toBe(v2().stepHash);
    expect(v1().fingerprint).not.toBe(other().fingerprint);
    expect(v1().stepHash).not.toBe(other().stepHash);
  });

  it('rejects parameter names that clash with Step members', () => {
    expect(() => pipelineStep({ params: { name: 'x' } }, (x: number) => x)).toThrow(
      StepDefinitionError,
    );
    expect(() => pipelineStep({ params: { params: 1 } }, (x: number) => x)).toThrow(/params/);
  });

  it('isolates concurrent calls of one instance', async () => {
    const gates: (() => void)[] = [];
    const slow = pipelineStep({ params: { k: 0 } }, async (_x: unknown, _ctx, { k }) => {
      await new Promise<void>((r) => gates.push(r));
      return k;
    });
    const step = slow();
    const a = step.call(null, standaloneContext({ k: 1 }));
    const b = step.call(null, standaloneContext({ k: 2 }));
    await new Promise((r) => setImmediate(r));
    gates.forEach((open) => open());
    await expect(Promise.all([a, b])).resolves.toEqual([1, 2]);
  });
});

describe('withMetrics', () => {
  it('passes the data on and records the metrics in the context', async () => {
    const total = pipelineStep({}, (xs: number[]) =>
      withMetrics(xs, { total: xs.reduce((a, b) => a + b, 0), label: 'sum' }),
    );
    const ctx = standaloneContext();
    await expect(total().call([1, 2, 3], ctx)).resolves.toEqual([1, 2, 3]);
    expect(ctx.metrics.get('total')).toEqual([6]);
    expect(ctx.metrics.get('label')).toEqual(['sum']);
  });

  it('is recognisable, and plain objects with data/metrics keys are not mistaken for it', async () => {
    expect(isWithMetrics(withMetrics(1, {}))).toBe(true);
    const lookalike = { data: 1, metrics: { a: 1 } };
    expect(isWithMetrics(lookalike)).toBe(false);
    const passthrough = pipelineStep<unknown, typeof lookalike>({}, () => lookalike);
    const ctx = standaloneContext();
    await expect(passthrough().call(null, ctx)).resolves.toBe(lookalike);
    expect(ctx.metrics.names()).toEqual([]);
  });

  it('works from an async step', async () => {
    const later = pipelineStep({}, async (x: number) => withMetrics(x * 2, { doubled: x * 2 }));
    const ctx = standaloneContext();
    await expect(later().call(4, ctx)).resolves.toBe(8);
    expect(ctx.metrics.get('doubled')).toEqual([8]);
  });
});
