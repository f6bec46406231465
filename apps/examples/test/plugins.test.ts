import { main } from '../src/plugins.js';
import { tempDir } from './temp-dir.js';

describe('plugins example', () => {
  it('calls plugin hooks and step setup/teardown in lifecycle order', async () => {
    const s = await main(tempDir());
    expect(s.events).toEqual([
      'initHook plugins-demo',
      'beforeRun baseline,shifted',
      'setup Sample',
      'beforeReplicate baseline #0',
      'beforeStep Sample',
      'afterStep Sample',
      'beforeReplicate shifted #0',
      'beforeStep Sample',
      'afterStep Sample',
      'teardown Sample',
      'afterRun errors=0',
    ]);
  });

  it('seeds replicates with (seed + replicate * 31337) and agrees between serial and async', async () => {
    const s = await main(tempDir());
    const expected = [0, 1, 2, 3, 4, 5].map((r) => 2024 + r * 31337);
    expect(s.seeds).toEqual({ baseline: expected, shifted: expected });
    expect(s.async).toEqual(s.serial);
    expect(new Set(s.serial['baseline']).size).toBe(6);
    // Common random numbers: the treatment's draw is the baseline's shifted by mu = 5.
    s.serial['shifted']!.forEach((v, i) =>
      expect(v as number).toBeCloseTo((s.serial['baseline']![i] as number) + 5, 12),
    );
  });
});
