import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/treatments-hypotheses.js';
import { tempDir } from './temp-dir.js';

describe('treatments and hypotheses example', () => {
  it('reports Welch p-values with a Holm adjustment and ranks the treatments', async () => {
    const dir = tempDir();
    const s = await main(dir);
    expect(s.baseline).toHaveLength(10);
    expect(Object.keys(s.tests).sort()).toEqual(['high', 'low', 'placebo']);
    // Baseline and treatments of one replicate share a seed, so the dose is the exact difference.
    expect(s.tests['placebo']).toMatchObject({ p_value: 1, mean_diff: 0 });
    expect(s.tests['low']!.mean_diff).toBeCloseTo(0.5, 12);
    expect(s.tests['high']!.mean_diff).toBeCloseTo(3, 12);
    expect(s.tests['high']!.p_value).toBeLessThan(1e-4);
    expect(s.tests['high']!.significant_adjusted).toBe(true);
    for (const t of Object.values(s.tests)) {
      expect(t.p_value_adjusted).toBeGreaterThanOrEqual(t.p_value); // Holm never lowers a p-value
    }
    expect(s.best).toBe('high');
    expect(s.ranked.map(([name]) => name)).toEqual(['high', 'low', 'placebo']);
    expect(s.dir).toBe(join(dir, 'data', 'dose-response', 'v0'));
    expect(existsSync(join(s.dir!, 'high', 'results.json'))).toBe(true);
  });
});
