/**
 * Caching: a cacheable step's output is stored on disk, keyed by the step (class + code
 * fingerprint), the parameter values the call actually used (explicit and injected) and the
 * input's hash. A second run gets every output back from the store (`cacheHit: true`); a
 * treatment that changes an injected parameter gets an entry of its own.
 *   node apps/examples/dist/caching.js [dir]
 */
import 'reflect-metadata';
import { join } from 'node:path';
import {
  CacheStore,
  Experiment,
  Param,
  Pipeline,
  PipelineStep,
  Step,
  treatment,
  type FrozenContext,
  type Result,
} from 'crystallize';
import { artifactPluginUnder } from './example-storage.js';
import { exampleDir, isEntryPoint, tempDir } from './run-example.js';

/** How many times the expensive step really ran in this process. */
export const computeCalls = { count: 0 };

/** A moving average: pretend it is expensive. */
export class MovingAverage extends Step<number[], number[]> {
  @Param() window = 3; // a treatment can change it through the context

  @PipelineStep({ cacheable: true })
  run(data: number[], ctx: FrozenContext): number[] {
    computeCalls.count += 1;
    const out = data.map((_, i) => {
      const part = data.slice(Math.max(0, i - this.window + 1), i + 1);
      return part.reduce((a, b) => a + b, 0) / part.length;
    });
    // Metrics recorded by a cached step are restored on a hit, exactly as on a miss.
    ctx.metrics.add('last', out[out.length - 1] ?? NaN);
    return out;
  }
}

export function buildExperiment(dir: string): Experiment {
  return new Experiment({
    name: 'moving-average',
    datasource: () => Array.from({ length: 50 }, (_, i) => Math.sin(i / 5)),
    pipeline: new Pipeline([MovingAverage]),
    treatments: [treatment('wide', { window: 10 })],
    replicates: 2,
    plugins: [artifactPluginUnder(dir)],
    // Default: a store under CRYSTALLIZE_CACHE_DIR (else ./.cache); here: inside `dir`.
    cache: new CacheStore({ dir: join(dir, 'cache') }),
  });
}

export interface RunSummary {
  readonly computed: number;
  /** `cacheHit` of the step, per condition and replicate. */
  readonly cacheHits: Record<string, boolean[]>;
  /** The step's cache folder per condition: one per resolved parameter set. */
  readonly stepHashes: Record<string, string>;
  readonly last: Record<string, readonly unknown[]>;
}

function summarise(result: Result, computed: number): RunSummary {
  const cacheHits: Record<string, boolean[]> = {};
  const stepHashes: Record<string, string> = {};
  for (const [condition, reps] of Object.entries(result.provenance.ctxChanges)) {
    cacheHits[condition] = Object.values(reps).map((records) => records[0]?.cacheHit ?? false);
    stepHashes[condition] = Object.values(reps)[0]?.[0]?.cacheKey ?? '';
  }
  return {
    computed,
    cacheHits,
    stepHashes,
    last: {
      baseline: result.metrics.baseline.metrics['last'] ?? [],
      wide: result.metrics.treatments['wide']?.metrics['last'] ?? [],
    },
  };
}

export async function main(
  dir = tempDir('caching'),
): Promise<{ first: RunSummary; second: RunSummary; entries: number }> {
  computeCalls.count = 0;
  const first = summarise(await buildExperiment(dir).run(), computeCalls.count);
  computeCalls.count = 0;
  // A new Experiment object (think: a new process) over the same cache folder.
  const second = summarise(await buildExperiment(dir).run(), computeCalls.count);
  const { entries } = await new CacheStore({ dir: join(dir, 'cache') }).stats();
  return { first, second, entries };
}

if (isEntryPoint(import.meta.url)) console.dir(await main(exampleDir('caching')), { depth: null });
