import {
  DataSource,
  ExperimentInput,
  type FrozenContext,
  ValidationError,
  standaloneContext,
  toDataSource,
} from '@crystallize/core';

class Numbers extends DataSource<number[]> {
  constructor(
    private readonly n: number,
    replicates?: number,
  ) {
    super();
    if (replicates !== undefined) this.replicates = replicates;
  }
  fetch(ctx: FrozenContext): number[] {
    return Array.from({ length: this.n }, (_, i) => i + Number(ctx.get('replicate')));
  }
}

describe('DataSource', () => {
  it('fetches with the context and is named after its class', async () => {
    const source = new Numbers(3);
    expect(source.name).toBe('Numbers');
    await expect(source.fetch(standaloneContext({ replicate: 1 }))).toEqual([1, 2, 3]);
  });

  it('returns a DataSource unchanged from toDataSource', () => {
    const source = new Numbers(1);
    expect(toDataSource(source)).toBe(source);
  });

  it('wraps a plain (ctx) => data function, sync or async, named after the function', async () => {
    function loadRows(ctx: FrozenContext) {
      return [ctx.get('condition')];
    }
    const sync = toDataSource(loadRows);
    expect(sync).toBeInstanceOf(DataSource);
    expect(sync.name).toBe('loadRows');
    await expect(Promise.resolve(sync.fetch(standaloneContext()))).resolves.toEqual(['baseline']);
    const asyncSource = toDataSource(async () => 'later');
    await expect(Promise.resolve(asyncSource.fetch(standaloneContext()))).resolves.toBe('later');
  });

  it.each([[42], ['data.csv'], [null], [{ fetch: 'nope' }]])(
    'rejects %p with a ValidationError saying what is accepted',
    (junk) => {
      expect(() => toDataSource(junk as never, 'experiment.datasource')).toThrow(ValidationError);
      expect(() => toDataSource(junk as never, 'experiment.datasource')).toThrow(
        /experiment\.datasource: expected a DataSource or a \(ctx\) => data function/,
      );
    },
  );
});

describe('ExperimentInput', () => {
  it('fetches every named input and hands them over by name', async () => {
    const fetched: string[] = [];
    const input = new ExperimentInput({
      train: (ctx: FrozenContext) => {
        fetched.push('train');
        return [Number(ctx.get('replicate'))];
      },
      test: async () => {
        fetched.push('test');
        return 'held-out';
      },
      numbers: new Numbers(2),
    });
    await expect(input.fetch(standaloneContext({ replicate: 5 }))).resolves.toEqual({
      train: [5],
      test: 'held-out',
      numbers: [5, 6],
    });
    expect(fetched.sort()).toEqual(['test', 'train']);
    expect(Object.keys(input.inputs)).toEqual(['train', 'test', 'numbers']);
  });

  it('takes the replicate count its inputs agree on', () => {
    const input = new ExperimentInput({ a: new Numbers(1, 4), b: new Numbers(1, 4), c: () => 1 });
    expect(input.replicates).toBe(4);
    expect(new ExperimentInput({ a: () => 1 }).replicates).toBeUndefined();
  });

  it('rejects inputs that disagree on the replicate count, naming them', () => {
    const build = () => new ExperimentInput({ a: new Numbers(1, 3), b: new Numbers(1, 5) });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(/disagree on replicates \(a: 3, b: 5\)/);
  });

  it('rejects an empty input set and an input that is not a data source', () => {
    expect(() => new ExperimentInput({})).toThrow(/at least one named input/);
    expect(() => new ExperimentInput({ bad: 3 as never })).toThrow(/ExperimentInput 'bad'/);
  });
});
