import { ValidationError } from '@crystallize/core';
import {
  bootstrapCI,
  cliffsDelta,
  cohensD,
  hedgesG,
  mannWhitneyUTest,
  meanDiff,
  pairedTTest,
  permutationTest,
  studentTTest,
  welchTTest,
} from '@crystallize/stats';

const verifiers = {
  welchTTest,
  studentTTest,
  pairedTTest,
  mannWhitneyUTest,
  permutationTest,
  bootstrapCI,
  cohensD,
  hedgesG,
  cliffsDelta,
  meanDiff,
};

describe.each(Object.entries(verifiers))('%s on bad input', (name, factory) => {
  const run = (b: Record<string, unknown[]>, t: Record<string, unknown[]>) => () =>
    factory()(b as Record<string, number[]>, t as Record<string, number[]>);

  it('rejects fewer than 2 values per condition and says to run more replicates', () => {
    expect(run({ m: [1] }, { m: [2] })).toThrow(ValidationError);
    expect(run({ m: [1, 2] }, { m: [3] })).toThrow(
      /'m' \(treatment\) has 1 value; .*at least 2.*replicates/,
    );
    expect(run({ m: [] }, { m: [] })).toThrow(/has 0 values/);
  });

  it('rejects NaN, infinities and non-numbers, naming metric, condition and index', () => {
    expect(run({ m: [1, NaN, 3] }, { m: [1, 2, 3] })).toThrow(/'m' \(baseline\).*index 1: NaN/);
    expect(run({ m: [1, 2, 3] }, { m: [1, '2', 3] })).toThrow(/index 1: "2"/);
    expect(run({ m: [1, 2, 3] }, { m: [1, 2, Infinity] })).toThrow(ValidationError);
  });

  it('rejects a metric missing from the treatment', () => {
    expect(run({ m: [1, 2, 3] }, {})).toThrow(/'m' has no treatment samples/);
  });

  it(`names the verifier (${name}) in the error`, () => {
    expect(run({ m: [1] }, { m: [2] })).toThrow(new RegExp(`Verifier '${name}'`));
  });
});
