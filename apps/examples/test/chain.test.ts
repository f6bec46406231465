import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('examples/chain', () => {
  it('runs prepare then evaluate, evaluate reading the stats each prepare replicate stored', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cz-'));
    process.env['CRYSTALLIZE_EXAMPLES_DATA'] = root;
    const { runChain } = await import('../src/chain.js');
    const events: string[] = [];
    const results = await runChain((e) => events.push(`${e.type}:${e.experiment}`));
    expect(events).toEqual([
      'running:prepare',
      'completed:prepare',
      'running:evaluate',
      'completed:evaluate',
    ]);
    const prep = results['prepare']!.metrics;
    const evalz = results['evaluate']!.metrics;
    expect(evalz.baseline.metrics['z']).toHaveLength(3);
    expect(evalz.treatments['wide']!.metrics['z']).toHaveLength(3);
    // A wider spread gives smaller z-scores for the same point.
    const absMean = (xs: unknown[]) =>
      xs.reduce((a: number, b) => a + Math.abs(b as number), 0) / xs.length;
    expect(absMean(evalz.treatments['wide']!.metrics['z']!)).toBeLessThan(
      absMean(evalz.baseline.metrics['z']!),
    );
    expect(prep.baseline.metrics['mean']).toHaveLength(3);
    expect(
      existsSync(join(root, 'prepare', 'v0', 'replicate_2', 'wide', 'FitStats', 'stats.json')),
    ).toBe(true);
  });
});
