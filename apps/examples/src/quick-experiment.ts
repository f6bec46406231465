/**
 * On-ramps: `quickExperiment` runs a plain function per config and replicate with the same
 * seeding as a full experiment; `dataSource(fn, { register })` names a data source globally so
 * configs and tools can look it up with `getDatasource(name)`.
 *   node apps/examples/dist/quick-experiment.js [dir]
 */
import 'reflect-metadata';
import {
  Experiment,
  Pipeline,
  dataSource,
  getDatasource,
  listDatasources,
  pipelineStep,
  quickExperiment,
  type FrozenContext,
} from 'crystallize';
import { artifactPluginUnder, cacheStoreUnder } from './example-storage.js';
import { exampleDir, isEntryPoint, tempDir } from './run-example.js';

/** Estimates pi from `samples` random points, using the replicate's seeded `ctx.rng`. */
export function estimatePi(config: { samples: number }, ctx: FrozenContext): number {
  let inside = 0;
  for (let i = 0; i < config.samples; i++) {
    const x = ctx.rng.next();
    const y = ctx.rng.next();
    if (x * x + y * y <= 1) inside += 1;
  }
  return (4 * inside) / config.samples;
}

// Registered under the function's name ('dice'); `{ register: 'name' }` picks another name.
export const dice = dataSource(
  function dice(ctx: FrozenContext) {
    return Array.from({ length: 60 }, () => ctx.rng.int(1, 6));
  },
  { register: true },
);

export const countSixes = pipelineStep({ name: 'countSixes' }, (rolls: number[], ctx) => {
  ctx.metrics.add('sixes', rolls.filter((r) => r === 6).length);
  return rolls;
});

export async function main(dir = tempDir('quick')): Promise<{
  pi: Record<string, number[]>;
  again: Record<string, number[]>;
  registered: string[];
  sixes: readonly unknown[];
}> {
  const configs = { coarse: { samples: 100 }, fine: { samples: 10_000 } };
  const pi = await quickExperiment(estimatePi, configs, 3, { seed: 1 });
  const again = await quickExperiment(estimatePi, configs, 3, { seed: 1 }); // same seed, same numbers

  const exp = new Experiment({
    name: 'dice',
    datasource: getDatasource('dice'),
    pipeline: new Pipeline([countSixes()]),
    replicates: 3,
    plugins: [artifactPluginUnder(dir)],
    cache: cacheStoreUnder(dir),
  });
  const result = await exp.run();
  return {
    pi,
    again,
    registered: listDatasources(),
    sixes: result.metrics.baseline.metrics['sixes'] ?? [],
  };
}

if (isEntryPoint(import.meta.url))
  console.dir(await main(exampleDir('quick-experiment')), { depth: null });
