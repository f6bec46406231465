import { main } from '../src/resume.js';
import { tempDir } from './temp-dir.js';

describe('resume example', () => {
  it('reuses completed conditions, runs only new or changed ones and says why', async () => {
    const s = await main(tempDir());
    expect(s.first.ran).toEqual(['baseline', 'fast']);
    expect(s.first.reused).toEqual([]);

    expect(s.added.ran).toEqual(['faster']);
    expect(s.added.reused).toEqual(['baseline', 'fast']);

    expect(s.changed.ran).toEqual(['fast']);
    expect(s.changed.reused).toEqual(['baseline', 'faster']);

    expect(s.reasons).toEqual([
      "resume: rerunning 'faster': no completed results stored",
      "resume: rerunning 'fast': treatment definition changed",
    ]);
  });

  it('verifies hypotheses over reused and new conditions together', async () => {
    const s = await main(tempDir());
    // The reused 'fast' result is the stored one, and 'faster' is tested against the stored baseline.
    expect(s.added.pValues['fast']).toBe(s.first.pValues['fast']);
    expect(Object.keys(s.added.pValues).sort()).toEqual(['fast', 'faster']);
    expect(s.changed.pValues['faster']).toBe(s.added.pValues['faster']);
    expect(s.changed.pValues['fast']).not.toBe(s.first.pValues['fast']);
    for (const p of Object.values(s.changed.pValues)) expect(p).toBeLessThan(0.05);
  });
});
