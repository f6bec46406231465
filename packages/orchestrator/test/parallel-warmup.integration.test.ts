import { readFileSync, rmSync } from 'node:fs';
import type { ParallelExecution } from '@crystallize/orchestrator';
import {
  PRELOAD_LOG,
  PRELOAD_ROOT,
  preloadExp,
  waitForWorkers,
} from './fixtures/preload-experiment.js';

/** Worker start-up and a TypeScript loader make these slower than unit tests. */
const SLOW = 60_000;

afterAll(async () => {
  await (preloadExp.execution as ParallelExecution).close();
  rmSync(PRELOAD_LOG, { force: true });
  rmSync(PRELOAD_ROOT, { recursive: true, force: true });
}, SLOW);

interface Note {
  readonly what: string;
  readonly thread: number;
  readonly at: number;
}

function notes(): Note[] {
  return readFileSync(PRELOAD_LOG, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [what = '', thread = '', at = ''] = line.split(' ');
      return { what, thread: Number(thread), at: Number(at) };
    });
}

describe('ParallelExecution warm-up', () => {
  it(
    'every worker imports the experiment module while the parent still prepares the run (beforeRun)',
    async () => {
      rmSync(PRELOAD_LOG, { force: true });
      const result = await preloadExp.run({ replicates: 8 });
      expect(result.metrics.baseline.metrics['x']).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      // A plugin after ParallelExecution saw both workers' imports during its beforeRun.
      expect(waitForWorkers.seen).toBe(2);
      const all = notes();
      const replicates = all.filter((n) => n.what === 'replicate');
      expect(replicates).toHaveLength(8);
      // Each worker imported the module once: the warm-up, not a replicate, did it.
      const imports = all.filter((n) => n.what === 'imported' && n.thread !== 0);
      expect(imports.map((n) => n.thread).sort()).toEqual(
        [...new Set(imports.map((n) => n.thread))].sort(),
      );
      for (const r of replicates) {
        const own = imports.find((n) => n.thread === r.thread);
        expect(own?.at).toBeLessThan(r.at);
      }
    },
    SLOW,
  );

  it(
    'a run that does not use the pool (debug) leaves no pool behind',
    async () => {
      const result = await preloadExp.debug();
      expect(result.metrics.baseline.metrics['x']).toEqual([0]);
      // close() on a plugin with no pool resolves at once; a later parallel run starts a new one.
      const again = await preloadExp.run({ replicates: 2 });
      expect(again.metrics.baseline.metrics['x']).toEqual([0, 1]);
    },
    SLOW,
  );
});
