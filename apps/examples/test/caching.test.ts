import { main } from '../src/caching.js';
import { tempDir } from './temp-dir.js';

describe('caching example', () => {
  it('computes once per parameter set, then serves every replicate from the store', async () => {
    const s = await main(tempDir());
    // First run: each condition computes replicate 0 and hits the cache for replicate 1.
    expect(s.first.computed).toBe(2);
    expect(s.first.cacheHits).toEqual({ baseline: [false, true], wide: [false, true] });
    // Second run over the same folder: nothing recomputed, provenance says cacheHit: true.
    expect(s.second.computed).toBe(0);
    expect(s.second.cacheHits).toEqual({ baseline: [true, true], wide: [true, true] });
    expect(s.entries).toBe(2);
  });

  it('gives a treatment that changes an injected parameter its own cache entry', async () => {
    const s = await main(tempDir());
    expect(s.first.stepHashes['wide']).not.toBe(s.first.stepHashes['baseline']);
    expect(s.second.stepHashes).toEqual(s.first.stepHashes);
    expect(s.first.last['wide']).not.toEqual(s.first.last['baseline']);
  });

  it('restores the metrics a cached step recorded on a hit', async () => {
    const s = await main(tempDir());
    expect(s.second.last).toEqual(s.first.last);
    expect(s.second.last['baseline']).toHaveLength(2);
  });
});
