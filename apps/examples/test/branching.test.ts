import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBranching } from '../src/branching.js';

describe('examples/branching', () => {
  it('compares the mean and median branches; an outlier pulls only the mean away', async () => {
    const result = await runBranching(mkdtempSync(join(tmpdir(), 'cz-')));
    expect(result.errors).toEqual({});
    const base = result.metrics.baseline.metrics['gap'] as number[];
    const outlier = result.metrics.treatments['outlier']!.metrics['gap'] as number[];
    expect(base).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(outlier[i]!).toBeGreaterThan(base[i]! + 5);
    const steps = result.provenance.ctxChanges['baseline']![0]!.map((r) => r.step);
    expect(steps[0]).toBe('load');
    expect(steps[3]).toBe('compare');
    expect(steps.slice(1, 3).sort()).toEqual(['mean', 'median']);
  });
});
