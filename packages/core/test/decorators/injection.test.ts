import {
  type FrozenContext,
  InjectionError,
  Param,
  PipelineStep,
  Step,
  clearResources,
  resourceFactory,
  standaloneContext,
} from '@crystallize/core';

class ScaleData extends Step<number[], number[]> {
  @Param() factor = 1.0;
  @PipelineStep()
  run(data: number[]): number[] {
    return data.map((x) => x * this.factor);
  }
}

class Needs extends Step<unknown, unknown> {
  @Param() threshold!: number;
  @PipelineStep()
  run(): unknown {
    return this.threshold;
  }
}

describe('parameter injection order', () => {
  it('uses the field default when the parameter is neither explicit nor in the context', async () => {
    await expect(new ScaleData().call([2], standaloneContext())).resolves.toEqual([2]);
    expect(new ScaleData().resolveParams(standaloneContext()).sources).toEqual({
      factor: 'default',
    });
  });

  it('prefers the context value over the default', async () => {
    await expect(new ScaleData().call([2], standaloneContext({ factor: 3 }))).resolves.toEqual([6]);
  });

  it('prefers the explicit value over the context value', async () => {
    const step = new ScaleData({ factor: 5 });
    await expect(step.call([2], standaloneContext({ factor: 3 }))).resolves.toEqual([10]);
    expect(step.resolveParams(standaloneContext({ factor: 3 }))).toMatchObject({
      values: { factor: 5 },
      sources: { factor: 'explicit' },
    });
  });

  it('reads another context key with @Param({ key })', async () => {
    class Keyed extends Step<number, number> {
      @Param({ key: 'learning_rate' }) lr = 0.1;
      @PipelineStep()
      run(x: number): number {
        return x * this.lr;
      }
    }
    await expect(
      new Keyed().call(10, standaloneContext({ learning_rate: 0.5, lr: 99 })),
    ).resolves.toBe(5);
    await expect(
      new Keyed({ lr: 2 }).call(10, standaloneContext({ learning_rate: 0.5 })),
    ).resolves.toBe(20);
  });

  it('injects a required parameter from the context', async () => {
    await expect(new Needs().call(undefined, standaloneContext({ threshold: 0.3 }))).resolves.toBe(
      0.3,
    );
  });

  it('fails with an InjectionError naming the step and the parameter when a required one is missing', async () => {
    const call = new Needs().call(undefined, standaloneContext());
    await expect(call).rejects.toThrow(InjectionError);
    await expect(new Needs().call(undefined, standaloneContext())).rejects.toThrow(
      /Step 'Needs': parameter 'threshold' has no default and is not in the context/,
    );
  });

  it('names the step by its @PipelineStep({ name }) in injection errors', () => {
    class Inner extends Step<unknown, unknown> {
      @Param({ key: 'min_count' }) minimum!: number;
      @PipelineStep({ name: 'filter-rare' })
      run(): unknown {
        return this.minimum;
      }
    }
    expect(() => new Inner().resolveParams(standaloneContext())).toThrow(
      /Step 'filter-rare': parameter 'minimum'.*key 'min_count'/,
    );
  });
});

describe('per-call isolation', () => {
  it('gives two concurrent calls of one instance their own parameter values', async () => {
    const gates = new Map<number, () => void>();
    const seen: string[] = [];
    class Slow extends Step<number, number[]> {
      @Param() factor = 1;
      @PipelineStep()
      async run(id: number): Promise<number[]> {
        const before = this.factor;
        await new Promise<void>((resolve) => gates.set(id, resolve));
        seen.push(`call ${id} resumed`);
        return [before, this.factor];
      }
    }
    const step = new Slow();
    const a = step.call(1, standaloneContext({ factor: 2 }));
    const b = step.call(2, standaloneContext({ factor: 3 }));
    await new Promise((r) => setImmediate(r));
    expect(gates.size).toBe(2); // both calls are suspended inside run()
    gates.get(2)!();
    await expect(b).resolves.toEqual([3, 3]);
    gates.get(1)!();
    await expect(a).resolves.toEqual([2, 2]);
    expect(seen).toEqual(['call 2 resumed', 'call 1 resumed']);
    expect(step.factor).toBe(1);
  });

  it('does not let a call that writes to `this` leak into the instance or the next call', async () => {
    class Counter extends Step<unknown, number> {
      @Param() start = 0;
      count = 0;
      @PipelineStep()
      run(): number {
        this.count += 1;
        this.start += 10;
        return this.count + this.start;
      }
    }
    const step = new Counter();
    await expect(step.call(undefined, standaloneContext())).resolves.toBe(11);
    await expect(step.call(undefined, standaloneContext())).resolves.toBe(11);
    expect(step.count).toBe(0);
    expect(step.start).toBe(0);
  });
});

describe('resource factories', () => {
  beforeEach(() => clearResources());

  class UsesDb extends Step<string, string> {
    @Param() db!: { query(q: string): string };
    @PipelineStep()
    run(q: string): string {
      return this.db.query(q);
    }
  }

  it('calls a function found in the context with the context and injects its result', async () => {
    const received: FrozenContext[] = [];
    const ctx = standaloneContext({
      db: (c: FrozenContext) => {
        received.push(c);
        return { query: (q: string) => `${q}@${String(c.get('condition'))}` };
      },
    });
    await expect(new UsesDb().call('select', ctx)).resolves.toBe('select@baseline');
    expect(received).toEqual([ctx]);
    const resolved = new UsesDb().resolveParams(ctx);
    expect(resolved.sources).toEqual({ db: 'resource' });
    expect(resolved.identity).toEqual({ db: { resource: 'db' } });
  });

  it('calls a plain context function again on every call', async () => {
    let built = 0;
    const ctx = standaloneContext({ db: () => ({ query: () => `conn${++built}` }) });
    const step = new UsesDb();
    await expect(step.call('q', ctx)).resolves.toBe('conn1');
    await expect(step.call('q', ctx)).resolves.toBe('conn2');
  });

  it('awaits a factory that returns a promise', async () => {
    const ctx = standaloneContext({ db: async () => ({ query: (q: string) => `async ${q}` }) });
    await expect(new UsesDb().call('q', ctx)).resolves.toBe('async q');
  });

  it('wraps a throwing factory in an InjectionError naming the key and parameter', async () => {
    const ctx = standaloneContext({
      db: () => {
        throw new Error('connection refused');
      },
    });
    await expect(new UsesDb().call('q', ctx)).rejects.toThrow(InjectionError);
    await expect(new UsesDb().call('q', ctx)).rejects.toThrow(
      /Step 'UsesDb'.*context key 'db'.*parameter 'db'.*connection refused/,
    );
  });

  it('builds a resourceFactory once per worker and shares it across steps and contexts', async () => {
    class OtherUser extends Step<string, string> {
      @Param({ key: 'db' }) connection!: { query(q: string): string };
      @PipelineStep()
      run(q: string): string {
        return this.connection.query(q);
      }
    }
    let builds = 0;
    const instances: object[] = [];
    const shared = resourceFactory(
      () => {
        builds += 1;
        const client = { id: builds, query: (q: string) => `${q}#${client.id}` };
        instances.push(client);
        return client;
      },
      { key: 'test-db' },
    );
    const ctxA = standaloneContext({ db: shared });
    const ctxB = standaloneContext({ db: shared, replicate: 1 });
    await expect(new UsesDb().call('a', ctxA)).resolves.toBe('a#1');
    await expect(new OtherUser().call('b', ctxB)).resolves.toBe('b#1');
    await expect(new UsesDb().call('c', ctxB)).resolves.toBe('c#1');
    expect(builds).toBe(1);
    expect(new UsesDb().resolveParams(ctxA).identity).toEqual({ db: { resource: 'test-db' } });
  });

  it('builds a resourceFactory again after clearResources()', async () => {
    let builds = 0;
    const ctx = standaloneContext({
      db: resourceFactory(() => ({ query: () => `build ${++builds}` }), { key: 'rebuilt' }),
    });
    await expect(new UsesDb().call('q', ctx)).resolves.toBe('build 1');
    clearResources();
    await expect(new UsesDb().call('q', ctx)).resolves.toBe('build 2');
  });
});
