/**
 * Artifacts and stored results: a step writes files through `Artifact` params, and the
 * `ArtifactPlugin` stores them beside each condition's `results.json`, completion marker and
 * provenance, in a versioned folder per run.
 *   node apps/examples/dist/artifacts.js [dir]
 */
import 'reflect-metadata';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  Artifact,
  ArtifactPlugin,
  CacheStore,
  Experiment,
  Param,
  Pipeline,
  PipelineStep,
  Step,
  treatment,
  type FrozenContext,
} from 'crystallize';
import { exampleDir, isEntryPoint, tempDir } from './run-example.js';

interface Histogram {
  readonly bins: number[];
}

export class BuildHistogram extends Step<number[], Histogram> {
  @Param() bins = 4;
  // Files this step writes: JSON by default, or anything a `writer` turns into bytes/text.
  @Param() histogram = new Artifact<Histogram>('histogram.json');
  @Param() csv = new Artifact<Histogram>('histogram.csv', {
    writer: (h) => h.bins.map((n, i) => `${i},${n}`).join('\n') + '\n',
  });

  @PipelineStep()
  run(data: number[], ctx: FrozenContext): Histogram {
    const counts = new Array<number>(this.bins).fill(0);
    for (const x of data) counts[Math.min(this.bins - 1, Math.floor(x * this.bins))]! += 1;
    const h = { bins: counts };
    this.histogram.write(h);
    this.csv.write(h);
    ctx.metrics.add('max_bin', Math.max(...counts));
    return h;
  }
}

function build(root: string): Experiment {
  return new Experiment({
    name: 'histograms',
    datasource: (ctx) => Array.from({ length: 100 }, () => ctx.rng.next()),
    pipeline: new Pipeline([BuildHistogram]),
    treatments: [treatment('fine', { bins: 10 })],
    replicates: 2,
    // versioned: every run gets v<N>; the newest `retention` versions keep their files.
    plugins: [new ArtifactPlugin({ rootDir: root, versioned: true, retention: 3 })],
    cache: new CacheStore({ dir: join(root, '..', 'cache') }),
  });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path).map((f) => join(name, f)) : [name];
    })
    .sort();
}

export interface ArtifactsSummary {
  readonly root: string;
  readonly versions: string[];
  readonly files: string[];
  readonly stored: {
    readonly metrics: unknown;
    readonly seeds: unknown;
    readonly artifacts: unknown;
  };
  readonly csv: string;
  readonly metadata: Record<string, unknown>;
}

export async function main(dir = tempDir('artifacts')): Promise<ArtifactsSummary> {
  const root = join(dir, 'data');
  await build(root).run();
  const result = await build(root).run(); // a second run: v1
  const runDir = result.dir as string;
  const results = JSON.parse(readFileSync(join(runDir, 'fine', 'results.json'), 'utf8')) as {
    metrics: unknown;
    seeds: unknown;
    artifacts: unknown;
  };
  return {
    root,
    versions: readdirSync(join(root, 'histograms')).sort(),
    files: listFiles(runDir),
    stored: { metrics: results.metrics, seeds: results.seeds, artifacts: results.artifacts },
    csv: readFileSync(
      join(runDir, 'replicate_0', 'fine', 'BuildHistogram', 'histogram.csv'),
      'utf8',
    ),
    metadata: JSON.parse(readFileSync(join(runDir, 'metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >,
  };
}

if (isEntryPoint(import.meta.url))
  console.dir(await main(exampleDir('artifacts')), { depth: null });
