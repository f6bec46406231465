// Runs in both jest projects (legacy decorators with design:type metadata, and TC39 decorators
// without it): explicit parameters are checked against every declared type the step knows.
import 'reflect-metadata';
import {
  InjectionError,
  Param,
  PipelineStep,
  Step,
  pipelineStep,
  standaloneContext,
} from '@crystallize/core';

const legacy = Reflect.getMetadata('design:type', probeTarget(), 'x') === Number;
function probeTarget(): object {
  class P {
    @Param() x!: number;
  }
  return P.prototype;
}

class Point {
  constructor(
    readonly x = 0,
    readonly y = 0,
  ) {}
}

/** Types named in @Param({ type }): known in both dialects. */
class Affine extends Step<number, number> {
  @Param({ type: Number }) shift = 0;
  @Param({ type: Boolean }) clip = false;
  @Param({ type: String }) label = 'affine';
  @Param({ type: Date }) since = new Date(0);
  @Param({ type: Point }) origin = new Point();

  @PipelineStep()
  run(x: number): number {
    return x + this.shift;
  }
}

/** Types known only from design:type metadata (legacy decorators + emitDecoratorMetadata). */
class FromMetadata extends Step<number, number> {
  @Param() gain: number = 1;
  @Param() tags: string[] = [];
  @Param() limit: bigint = 10n;
  @Param() optional: number | undefined = undefined;
  @Param() anything: unknown = null;

  @PipelineStep()
  run(x: number): number {
    return x * this.gain;
  }
}

function injectionError(build: () => unknown): InjectionError {
  try {
    build();
  } catch (e) {
    if (e instanceof InjectionError) return e;
    throw e;
  }
  throw new Error('expected an InjectionError');
}

describe(`explicit parameters with a declared type (${legacy ? 'legacy' : 'tc39'} decorators)`, () => {
  it("refuses new Affine({ shift: '1' }) for a number param, naming the step, the field and both types", () => {
    const error = injectionError(() => new Affine({ shift: '1' }));
    expect(error.message).toMatch(
      /Step 'Affine': explicit parameter 'shift' is declared as number but got string '1'/,
    );
    expect(error.message).toMatch(/Affine\.with\(\{ \.\.\. \}\)/);
  });

  it('is what Step.with is typed against, so the compiler refuses there what new cannot', () => {
    // `pnpm typecheck` covers tests: these lines compile only because they are errors.
    // @ts-expect-error shift is a number
    expect(() => Affine.with({ shift: '1' })).toThrow(InjectionError);
    // @ts-expect-error no param is called shfit
    expect(() => Affine.with({ shfit: 1 })).toThrow(InjectionError);
    // new takes any record: only the runtime check stands between it and a wrong type.
    expect(() => new Affine({ shift: '1' })).toThrow(InjectionError);
  });

  it('refuses a mismatch through Step.with too, where the factory is written', () => {
    expect(() => Affine.with({ shift: '1' as unknown as number })).toThrow(
      /'shift' is declared as number but got string '1'/,
    );
  });

  it.each([
    ['shift', true, /'shift' is declared as number but got boolean true/],
    ['shift', [1], /'shift' is declared as number but got array/],
    ['clip', 'false', /'clip' is declared as boolean but got string 'false'/],
    ['clip', 0, /'clip' is declared as boolean but got number 0/],
    ['label', 5, /'label' is declared as string but got number 5/],
    ['since', '2020-01-01', /'since' is declared as Date but got string '2020-01-01'/],
    ['since', 1577836800000, /'since' is declared as Date but got number 1577836800000/],
    ['origin', 3, /'origin' is declared as Point but got number 3/],
    ['origin', new Map(), /'origin' is declared as Point but got Map/],
  ])('refuses %s = %p with an InjectionError naming both types', (field, value, message) => {
    const error = injectionError(() => new Affine({ [field]: value }));
    expect(error.message).toMatch(message);
  });

  it('accepts values of the declared type, null/undefined, and plain objects for a class type', async () => {
    const ok = [
      { shift: 2, clip: true, label: 'x', since: new Date(1), origin: new Point(1, 2) },
      { shift: NaN, origin: { x: 1, y: 2 } },
      { shift: undefined, clip: null },
    ];
    for (const params of ok) expect(() => new Affine(params)).not.toThrow();
    expect(await new Affine({ shift: 2 }).call(1, standaloneContext())).toBe(3);
  });

  it('still converts context values (only explicit values are checked)', async () => {
    expect(await new Affine().call(1, standaloneContext({ shift: '2' }))).toBe(3);
  });

  if (legacy) {
    it('checks types known from design:type metadata alone', () => {
      expect(() => new FromMetadata({ gain: '2' })).toThrow(
        /Step 'FromMetadata': explicit parameter 'gain' is declared as number but got string '2'/,
      );
      expect(() => new FromMetadata({ tags: 'a,b' })).toThrow(
        /'tags' is declared as Array but got string 'a,b'/,
      );
      expect(() => new FromMetadata({ limit: 10 })).toThrow(
        /'limit' is declared as bigint but got number 10/,
      );
      expect(() => new FromMetadata({ gain: 2, tags: ['a'], limit: 3n })).not.toThrow();
    });
  } else {
    it('leaves params without @Param({ type }) unchecked, since TC39 decorators carry no type', () => {
      expect(() => new FromMetadata({ gain: '2' })).not.toThrow();
    });
  }

  it('leaves params whose type is unknown unchecked (unions, unknown, function steps)', () => {
    expect(() => new FromMetadata({ optional: 3, anything: 'x' })).not.toThrow();
    const add = pipelineStep({ params: { delta: 1 } }, (x: number, _ctx, { delta }) => x + delta);
    expect(() => add({ delta: '1' as unknown as number })).not.toThrow();
  });
});
