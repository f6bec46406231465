import { main } from '../src/artifacts.js';
import { tempDir } from './temp-dir.js';

describe('artifacts example', () => {
  it('stores each run in a new version with the documented layout', async () => {
    const s = await main(tempDir());
    expect(s.versions).toEqual(['v0', 'v1']);
    expect(s.files).toEqual([
      '_manifest.json',
      'baseline/.crystallize_complete',
      'baseline/results.json',
      'fine/.crystallize_complete',
      'fine/results.json',
      'journal.jsonl',
      'metadata.json',
      'replicate_0/baseline/BuildHistogram/histogram.csv',
      'replicate_0/baseline/BuildHistogram/histogram.json',
      'replicate_0/fine/BuildHistogram/histogram.csv',
      'replicate_0/fine/BuildHistogram/histogram.json',
      'replicate_1/baseline/BuildHistogram/histogram.csv',
      'replicate_1/baseline/BuildHistogram/histogram.json',
      'replicate_1/fine/BuildHistogram/histogram.csv',
      'replicate_1/fine/BuildHistogram/histogram.json',
      'run.log',
    ]);
    expect(s.metadata).toMatchObject({
      experiment: 'histograms',
      version: 1,
      replicates: 2,
      conditions: ['baseline', 'fine'],
    });
  });

  it('writes artifacts through their writer and lists them in results.json', async () => {
    const s = await main(tempDir());
    const rows = s.csv.trim().split('\n');
    expect(rows).toHaveLength(10); // the 'fine' treatment's 10 bins
    expect(rows.reduce((n, r) => n + Number(r.split(',')[1]), 0)).toBe(100);
    expect(s.stored.seeds).toEqual([42, 42 + 31337]);
    expect(s.stored.artifacts).toContainEqual({
      replicate: 1,
      name: 'histogram.csv',
      step: 'BuildHistogram',
      path: 'replicate_1/fine/BuildHistogram/histogram.csv',
      contentType: 'text',
    });
  });
});
