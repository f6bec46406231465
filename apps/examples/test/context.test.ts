import { main, type ContextSummary } from '../src/context.js';

let s: ContextSummary;
beforeAll(async () => {
  s = await main();
});

describe('context example', () => {
  it('keeps keys add-only and values unaliased', () => {
    expect(s.lr).toBe(0.01);
    expect(s.fallback).toBe(0.9);
    expect(s.mutationError).toBe(
      "Cannot mutate existing key 'lr'. Context keys are add-only; use a new key name.",
    );
    expect(s.callerChangeLeaked).toBe(false);
    expect(s.frozenRead).toBe(true);
  });

  it('records tagged metrics, draws reproducibly and builds a resource once', () => {
    expect(s.metrics).toEqual({
      loss: [0.9, 0.4],
      lossTags: [{ epoch: 1 }, { epoch: 2 }],
      tokens: [3],
    });
    expect(s.rngDraws.again).toEqual(s.rngDraws.first);
    expect(s.tokens).toEqual([
      ['hello', 'crystallize'],
      ['one', 'two', 'three'],
    ]);
    expect(s.tokenizersBuilt).toBe(1); // one instance shared by both calls
  });
});
