/**
 * The W2 experiment shape (BENCH.md): one cacheable step mapping N floats (`x * 1.5 + 1`),
 * 5 replicates with distinct inputs, as `Float64Array` or `number[]`.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import {
  ArtifactPlugin,
  CacheStore,
  Experiment,
  LoggingPlugin,
  Pipeline,
  PipelineStep,
  Step,
} from 'crystallize';

export type Floats = Float64Array | number[];

export const W2_REPLICATES = 5;

class Affine extends Step<Floats, Floats> {
  @PipelineStep({ cacheable: true })
  run(xs: Floats): Floats {
    if (xs instanceof Float64Array) return xs.map((x) => x * 1.5 + 1);
    return xs.map((x) => x * 1.5 + 1);
  }
}

/** Replicate `replicate`'s input: N distinct floats. */
export function w2Input(n: number, replicate: number, typed: boolean): Floats {
  if (typed) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = i + replicate * 0.5;
    return a;
  }
  // Preallocated and filled: Array.from(aFloat64Array) (or push) is several times slower and
  // would make this figure mostly about making the input.
  const xs = new Array<number>(n);
  for (let i = 0; i < n; i++) xs[i] = i + replicate * 0.5;
  return xs;
}

/** The same work with no framework: make each replicate's input and map it. */
export function w2Plain(n: number, typed: boolean): void {
  for (let r = 0; r < W2_REPLICATES; r++) {
    const xs = w2Input(n, r, typed);
    (xs as number[]).map((x: number) => x * 1.5 + 1);
  }
}

/** The experiment under test: results under `root/data`, its cache in `cacheDir`. */
export function w2Experiment(
  n: number,
  typed: boolean,
  root: string,
  cacheDir: string,
): Experiment {
  return new Experiment({
    name: `w2-${typed ? 'typed' : 'plain'}`,
    datasource: (c) => w2Input(n, c.get<number>('replicate') ?? 0, typed),
    pipeline: new Pipeline([Affine]),
    plugins: [
      new ArtifactPlugin({ rootDir: join(root, 'data') }),
      new LoggingPlugin({ level: 'silent' }),
    ],
    cache: new CacheStore({ dir: cacheDir }),
  });
}
