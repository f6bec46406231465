import {
  InjectionError,
  Param,
  PipelineStep,
  Step,
  standaloneContext,
  type FrozenContext,
} from '@crystallize/core';

// Each fixture returns its injected parameter so the test sees exactly what was injected.
class Num extends Step<unknown, unknown> {
  @Param() rate = 1.0;
  @PipelineStep()
  run(): unknown {
    return this.rate;
  }
}

class Bool extends Step<unknown, unknown> {
  @Param() enabled = true;
  @PipelineStep()
  run(): unknown {
    return this.enabled;
  }
}

class Str extends Step<unknown, unknown> {
  @Param() label = 'x';
  @PipelineStep()
  run(): unknown {
    return this.label;
  }
}

class ExplicitType extends Step<unknown, unknown> {
  @Param({ type: Number }) n!: number;
  @PipelineStep()
  run(): unknown {
    return this.n;
  }
}

class When extends Step<unknown, unknown> {
  @Param({ type: Date }) at!: Date;
  @PipelineStep()
  run(): unknown {
    return this.at;
  }
}

class Point {
  x = 0;
  y = 0;
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

class Shape extends Step<unknown, unknown> {
  @Param({ type: Point }) origin!: Point;
  @PipelineStep()
  run(): unknown {
    return this.origin;
  }
}

const inject = (step: Step, values: Record<string, unknown>) =>
  step.call(undefined, standaloneContext(values) as FrozenContext);

describe('coercion of context values to the declared parameter type', () => {
  it('turns "2.5" into 2.5 for a number parameter', async () => {
    await expect(inject(new Num(), { rate: '2.5' })).resolves.toBe(2.5);
  });

  it('leaves a number that is already a number alone', async () => {
    await expect(inject(new Num(), { rate: 3 })).resolves.toBe(3);
  });

  it('coerces with @Param({ type: Number }) when the field has no default, in both decorator modes', async () => {
    await expect(inject(new ExplicitType(), { n: '2.5' })).resolves.toBe(2.5);
  });

  it.each([
    ['false', false],
    ['true', true],
    ['0', false],
    ['1', true],
    ['no', false],
    ['yes', true],
    [' FALSE ', false],
  ])('turns %p into %p for a boolean parameter', async (raw, expected) => {
    await expect(inject(new Bool(), { enabled: raw })).resolves.toBe(expected);
  });

  it('turns a number into a string for a string parameter', async () => {
    await expect(inject(new Str(), { label: 3 })).resolves.toBe('3');
  });

  it('turns an ISO string into a Date with @Param({ type: Date })', async () => {
    const out = await inject(new When(), { at: '2024-01-02T03:04:05.000Z' });
    expect(out).toBeInstanceOf(Date);
    expect((out as Date).toISOString()).toBe('2024-01-02T03:04:05.000Z');
  });

  it('turns a plain object into an instance of a class given as @Param({ type })', async () => {
    const out = await inject(new Shape(), { origin: { x: 3, y: 4 } });
    expect(out).toBeInstanceOf(Point);
    expect((out as Point).norm()).toBe(5);
  });

  it.each([
    ['abc', /'abc'/],
    ['2.5kg', /'2\.5kg'/],
    ['', /''/],
  ])('fails with an InjectionError naming the invalid number %p', async (raw, named) => {
    const call = inject(new Num(), { rate: raw });
    await expect(call).rejects.toThrow(InjectionError);
    await expect(inject(new Num(), { rate: raw })).rejects.toThrow(named);
    await expect(inject(new Num(), { rate: raw })).rejects.toThrow(
      /Step 'Num'.*parameter 'rate'.*Number/,
    );
  });

  it('fails with an InjectionError naming an invalid boolean', async () => {
    await expect(inject(new Bool(), { enabled: 'maybe' })).rejects.toThrow(
      /'maybe' for parameter 'enabled'.*Boolean/,
    );
  });

  it('fails with an InjectionError naming an invalid date', async () => {
    await expect(inject(new When(), { at: 'not a date' })).rejects.toThrow(InjectionError);
  });

  it('does not coerce explicit values (they are type-checked by the compiler)', async () => {
    await expect(
      new Num({ rate: 4 }).call(undefined, standaloneContext({ rate: '9' })),
    ).resolves.toBe(4);
  });
});
