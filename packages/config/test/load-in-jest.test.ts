/*
 * A jest test (ts-jest, in-process) can load a folder experiment: jest refuses tsx's loader hooks
 * and transforms the folder's TypeScript itself.
 */
import { join } from 'node:path';
import { Experiment } from '@crystallize/orchestrator';
import { loadExperiment } from '@crystallize/config';

const folder = join(import.meta.dirname, 'fixtures', 'valid', 'experiments', 'scale-demo');

describe('loadExperiment inside jest', () => {
  it('loads a TypeScript folder experiment although jest refuses module.register()', async () => {
    const exp = await loadExperiment(folder);
    expect(exp).toBeInstanceOf(Experiment);
    expect(exp.name).toBe('scale-demo');
    expect(exp.pipeline.steps?.map((s) => s.name)).toEqual([
      'ScaleData',
      'Normalize',
      'ComputeSum',
    ]);
  });
});
