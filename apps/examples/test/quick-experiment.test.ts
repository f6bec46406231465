import { main } from '../src/quick-experiment.js';
import { tempDir } from './temp-dir.js';

describe('quick experiment and data source registry example', () => {
  it('runs a function per config and replicate, reproducibly', async () => {
    const s = await main(tempDir());
    expect(Object.keys(s.pi)).toEqual(['coarse', 'fine']);
    expect(s.pi['fine']).toHaveLength(3);
    for (const est of s.pi['fine']!) expect(Math.abs(est - Math.PI)).toBeLessThan(0.1);
    expect(s.again).toEqual(s.pi);
  });

  it('looks a registered data source up by name', async () => {
    const s = await main(tempDir());
    expect(s.registered).toContain('dice');
    expect(s.sixes).toHaveLength(3);
    for (const n of s.sixes) expect(n).toEqual(expect.any(Number));
  });
});
