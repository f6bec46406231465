import { main } from '../src/steps.js';

describe('steps example', () => {
  it('injects explicit > context > default, coerces context strings and names a missing param', async () => {
    const s = await main();
    expect(s.explicit).toEqual([2, 4, 6]);
    expect(s.fromContext).toEqual([10, 20, 30]);
    expect(s.byDefault).toEqual([1, 2, 3]);
    // "2" became the number 2 and "false" the boolean false (exclusive clip).
    expect(s.coerced).toEqual({ max: 2, output: [1], clipped: 3 });
    expect(s.missingParam).toMatch(/Step 'Clip': parameter 'max' has no default/);
    expect(s.missingParam).toContain("'clip_max'");
  });

  it('runs function steps, records tagged metrics and builds a mixed pipeline', async () => {
    const s = await main();
    expect(s.functionStep).toEqual([11, 12, 13]);
    expect(s.summed).toEqual({ sum: [6], tags: [{ unit: 'points' }] });
    expect(s.pipelineSteps).toEqual(['ScaleData', 'Clip', 'Summarise']);
    expect(s.stepHashes).toEqual({ same: true, differ: true });
  });
});
