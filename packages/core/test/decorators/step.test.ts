import {
  FrozenContext,
  InjectionError,
  Param,
  PipelineStep,
  Step,
  StepDefinitionError,
  StepFactory,
  ValidationError,
  standaloneContext,
} from '@crystallize/core';
import { toStep } from '@crystallize/core/internal';

class ScaleData extends Step<number[], number[]> {
  @Param() factor = 1.0;

  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] {
    return data.map((x) => x * this.factor);
  }
}

class Plain extends Step<number, number> {
  @PipelineStep()
  run(x: number): number {
    return x + 1;
  }
}

class Flagged extends Step<number, number> {
  @PipelineStep(true)
  run(x: number): number {
    return x;
  }
}

class Renamed extends Step<number, number> {
  @Param() offset = 0;
  @PipelineStep({ cacheable: false, name: 'shift', version: 2 })
  run(x: number): number {
    return x + this.offset;
  }
}

describe('Step and @PipelineStep', () => {
  it('runs the decorated method with (data, ctx) through call()', async () => {
    let seenCtx: FrozenContext | undefined;
    class Echo extends Step<string, string> {
      @PipelineStep()
      process(data: string, ctx: FrozenContext): string {
        seenCtx = ctx;
        return data.toUpperCase();
      }
    }
    const ctx = standaloneContext();
    await expect(new Echo().call('abc', ctx)).resolves.toBe('ABC');
    expect(seenCtx).toBe(ctx);
  });

  it('awaits an async entry method', async () => {
    class Later extends Step<number, number> {
      @PipelineStep()
      async run(x: number): Promise<number> {
        await new Promise((r) => setTimeout(r, 1));
        return x * 10;
      }
    }
    await expect(new Later().call(4, standaloneContext())).resolves.toBe(40);
  });

  it('accepts @PipelineStep(), @PipelineStep(true) and @PipelineStep({ cacheable, name, version })', () => {
    expect(new Plain().cacheable).toBe(false);
    expect(new Flagged().cacheable).toBe(true);
    expect(new ScaleData().cacheable).toBe(true);
    const renamed = new Renamed();
    expect(renamed.cacheable).toBe(false);
    expect(renamed.name).toBe('shift');
  });

  it('names a step after its class unless @PipelineStep({ name }) overrides it', () => {
    expect(new ScaleData().name).toBe('ScaleData');
    expect(new Plain().name).toBe('Plain');
    expect(new Renamed().name).toBe('shift');
  });

  it('keeps the explicit parameters, and only those, in step.params', () => {
    expect(new ScaleData().params).toEqual({});
    const step = new ScaleData({ factor: 2 });
    expect(step.params).toEqual({ factor: 2 });
    expect(Object.isFrozen(step.params)).toBe(true);
    expect(step.paramNames).toEqual(['factor']);
  });

  it('uses an explicit constructor parameter when calling', async () => {
    await expect(new ScaleData({ factor: 2 }).call([1, 2], standaloneContext())).resolves.toEqual([
      2, 4,
    ]);
  });

  it('rejects an unknown explicit parameter at construction, naming it and the declared ones', () => {
    const build = () => new ScaleData({ factr: 2 });
    expect(build).toThrow(InjectionError);
    expect(build).toThrow(/unknown parameter 'factr'/);
    expect(build).toThrow(/'factor'/);
    expect(build).toThrow(/ScaleData/);
  });

  it('names every unknown parameter when several are given', () => {
    expect(() => new Plain({ a: 1, b: 2 })).toThrow(/'a', 'b'.*\(none\)/);
  });

  it('fails to construct a step class with no @PipelineStep method, naming the class', () => {
    class NoEntry extends Step<number, number> {
      @Param() factor = 1;
      run(x: number): number {
        return x;
      }
    }
    expect(() => new NoEntry()).toThrow(StepDefinitionError);
    expect(() => new NoEntry()).toThrow(/NoEntry.*no method decorated with @PipelineStep/);
  });

  it('rejects a class that decorates two methods with @PipelineStep when it is defined', () => {
    const define = () => {
      class TwoEntries extends Step<number, number> {
        @PipelineStep()
        first(x: number): number {
          return x;
        }
        @PipelineStep()
        second(x: number): number {
          return x;
        }
      }
      return TwoEntries;
    };
    expect(define).toThrow(StepDefinitionError);
    expect(define).toThrow(/@PipelineStep\(\) is on both 'first' and 'second'/);
    expect(define).not.toThrow(/Step class :/);
  });

  it('runs the entry method with `this` being (a view of) the step instance', async () => {
    class Self extends Step<unknown, boolean> {
      helper(): number {
        return 7;
      }
      @PipelineStep()
      run(): boolean {
        return this instanceof Self && this.helper() === 7;
      }
    }
    await expect(new Self().call(undefined, standaloneContext())).resolves.toBe(true);
  });
});

describe('Step.with', () => {
  it('keeps its own copy of explicit object parameters: changing the caller object later changes nothing', async () => {
    class Weighted extends Step<number, number> {
      @Param() weights: { w: number } = { w: 1 };
      @PipelineStep() run(x: number): number {
        return x * this.weights.w;
      }
    }
    const weights = { w: 2 };
    const step = new Weighted({ weights });
    const hash = step.stepHash;
    weights.w = 100;
    expect(step.params).toEqual({ weights: { w: 2 } });
    expect(step.stepHash).toBe(hash);
    expect(new Weighted({ weights: { w: 2 } }).stepHash).toBe(hash);
    await expect(step.call(3, standaloneContext())).resolves.toBe(6);
  });

  it('returns a factory that builds fresh instances with the given parameters', async () => {
    const factory = ScaleData.with({ factor: 3 });
    expect(factory).toBeInstanceOf(StepFactory);
    const a = factory.create();
    const b = factory.create();
    expect(a).toBeInstanceOf(ScaleData);
    expect(a).not.toBe(b);
    expect(a.params).toEqual({ factor: 3 });
    await expect(a.call([1], standaloneContext())).resolves.toEqual([3]);
  });

  it('rejects an unknown parameter where the factory is written', () => {
    expect(() => ScaleData.with({ nope: 1 } as never)).toThrow(/unknown parameter 'nope'/);
  });
});

describe('setup and teardown', () => {
  it('are optional', () => {
    const step = new Plain();
    expect(step.setup).toBeUndefined();
    expect(step.teardown).toBeUndefined();
  });

  it('run on the instance, and state set in setup is visible to every call', async () => {
    const events: string[] = [];
    class Lookup extends Step<string, number> {
      table: Map<string, number> | undefined;
      override setup(ctx: FrozenContext): void {
        events.push(`setup:${String(ctx.get('condition'))}`);
        this.table = new Map([['a', 1]]);
      }
      override teardown(): void {
        events.push('teardown');
        this.table = undefined;
      }
      @PipelineStep()
      run(key: string): number {
        return this.table?.get(key) ?? -1;
      }
    }
    const step = new Lookup();
    const ctx = standaloneContext();
    await step.setup(ctx);
    await expect(step.call('a', ctx)).resolves.toBe(1);
    await expect(step.call('a', standaloneContext({ replicate: 1 }))).resolves.toBe(1);
    await step.teardown();
    await expect(step.call('a', ctx)).resolves.toBe(-1);
    expect(events).toEqual(['setup:baseline', 'teardown']);
  });
});

describe('inheritance', () => {
  class Base extends Step<number, number> {
    @Param() factor = 2;
    @PipelineStep({ cacheable: true })
    run(x: number): number {
      return x * this.factor + this.bonus();
    }
    bonus(): number {
      return 0;
    }
  }

  class WithOffset extends Base {
    @Param() offset = 100;
    override bonus(): number {
      return this.offset;
    }
  }

  class NewDefault extends Base {
    @Param() override factor = 5;
  }

  class OwnEntry extends Base {
    @PipelineStep({ name: 'own' })
    other(x: number): number {
      return -x * this.factor;
    }
  }

  class Undecorated extends WithOffset {}

  it('inherits the entry method and @Param fields of its base class', async () => {
    const step = new WithOffset({ factor: 3 });
    expect(step.paramNames.sort()).toEqual(['factor', 'offset']);
    expect(step.cacheable).toBe(true);
    expect(step.name).toBe('WithOffset');
    await expect(step.call(1, standaloneContext({ offset: 10 }))).resolves.toBe(13);
  });

  it('lets a subclass re-declare a parameter with a new default', async () => {
    await expect(new NewDefault().call(1, standaloneContext())).resolves.toBe(5);
    await expect(new Base().call(1, standaloneContext())).resolves.toBe(2);
  });

  it("uses the subclass's own @PipelineStep method over the inherited one", async () => {
    const step = new OwnEntry();
    expect(step.name).toBe('own');
    expect(step.cacheable).toBe(false);
    await expect(step.call(3, standaloneContext())).resolves.toBe(-6);
  });

  it('works for a subclass with no decorators of its own', async () => {
    const step = new Undecorated({ offset: 1 });
    expect(step.name).toBe('Undecorated');
    await expect(step.call(1, standaloneContext())).resolves.toBe(3);
    expect(() => new Undecorated({ bogus: 1 })).toThrow(/'bogus'/);
  });
});

describe('stepHash', () => {
  it('is stable for equal parameters and independent of their order', () => {
    class Two extends Step<number, number> {
      @Param() a = 1;
      @Param() b = 2;
      @PipelineStep()
      run(x: number): number {
        return x + this.a + this.b;
      }
    }
    expect(new Two({ a: 1, b: 2 }).stepHash).toBe(new Two({ b: 2, a: 1 }).stepHash);
    expect(new Two({ a: 1, b: 2 }).stepHash).toMatch(/^[0-9a-f]{16,}$/);
  });

  it('changes when the explicit parameters change', () => {
    expect(new ScaleData({ factor: 2 }).stepHash).not.toBe(new ScaleData({ factor: 3 }).stepHash);
    expect(new ScaleData({ factor: 2 }).stepHash).not.toBe(new ScaleData().stepHash);
  });

  it('changes when @PipelineStep({ version }) changes', () => {
    const make = (version: number) => {
      class Versioned extends Step<number, number> {
        @PipelineStep({ version })
        run(x: number): number {
          return x;
        }
      }
      return new Versioned();
    };
    expect(make(1).stepHash).toBe(make(1).stepHash);
    expect(make(1).stepHash).not.toBe(make(2).stepHash);
  });

  it('changes when the step class code changes, even under the same name', () => {
    const first = (() => {
      class Same extends Step<number, number> {
        @PipelineStep()
        run(x: number): number {
          return x + 1;
        }
      }
      return new Same();
    })();
    const second = (() => {
      class Same extends Step<number, number> {
        @PipelineStep()
        run(x: number): number {
          return x + 2;
        }
      }
      return new Same();
    })();
    expect(first.name).toBe(second.name);
    expect(first.fingerprint).not.toBe(second.fingerprint);
    expect(first.stepHash).not.toBe(second.stepHash);
  });
});

describe('toStep', () => {
  it('returns a step instance unchanged', () => {
    const step = new ScaleData({ factor: 2 });
    expect(toStep(step)).toBe(step);
  });

  it('constructs a step class with no explicit parameters', () => {
    const step = toStep(ScaleData);
    expect(step).toBeInstanceOf(ScaleData);
    expect(step.params).toEqual({});
  });

  it('builds a Step.with factory', () => {
    const step = toStep(ScaleData.with({ factor: 4 }));
    expect(step).toBeInstanceOf(ScaleData);
    expect(step.params).toEqual({ factor: 4 });
  });

  it.each([
    ['a number', 42, /42 is not a step/],
    ['a string', 'ScaleData', /ScaleData is not a step/],
    ['null', null, /null is not a step/],
    ['a plain function', function loader() {}, /function loader is not a step/],
    ['a class that is not a Step', class NotAStep {}, /function NotAStep is not a step/],
  ])('rejects %s with a ValidationError saying what to give instead', (_label, junk, message) => {
    expect(() => toStep(junk, 'pipeline[1]')).toThrow(ValidationError);
    expect(() => toStep(junk, 'pipeline[1]')).toThrow(message);
    expect(() => toStep(junk, 'pipeline[1]')).toThrow(/pipeline\[1\].*Step\.with/);
  });
});
