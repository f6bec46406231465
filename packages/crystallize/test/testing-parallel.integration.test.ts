/*
 * runExperiment with ParallelExecution: replicates run in real worker threads, which rebuild the
 * experiment from its module; results, artifacts and cache entries still land in the test's root.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Experiment, ParallelExecution, Pipeline } from 'crystallize';
import { createTempRoot, runExperiment } from 'crystallize/testing';
import { Offset, Total, parallelExp } from './fixtures/parallel-experiment.js';

describe('runExperiment with worker threads', () => {
  it('runs a ParallelExecution experiment with its storage and cache in the temporary root', async () => {
    const root = createTempRoot();
    try {
      const parallel = await runExperiment(parallelExp, { root });
      expect(parallel).toHaveNoErrors();
      const serial = await runExperiment(
        new Experiment({
          name: 'testing-parallel',
          datasource: () => [1, 2, 3],
          pipeline: new Pipeline([Offset, Total]),
          replicates: 4,
        }),
      );
      expect(parallel.metrics.baseline.metrics['in_worker']).toEqual([1, 1, 1, 1]);
      expect(serial.metrics.baseline.metrics['in_worker']).toEqual([0, 0, 0, 0]);
      expect(parallel.metrics.baseline.metrics['total']).toEqual(
        serial.metrics.baseline.metrics['total'],
      );
      expect(
        existsSync(
          join(
            root.dataDir,
            'testing-parallel',
            'v0',
            'replicate_3',
            'baseline',
            'Total',
            'total.json',
          ),
        ),
      ).toBe(true);
      expect(readdirSync(root.cacheDir).length).toBeGreaterThan(0);
      expect(existsSync(join(process.cwd(), 'data', 'testing-parallel'))).toBe(false);
    } finally {
      root.cleanup();
      for (const p of parallelExp.plugins) if (p instanceof ParallelExecution) await p.close();
    }
  }, 120_000);
});
