/**
 * The W5 experiments: W3's shape through Redis. Worker processes rebuild them by importing this
 * module (compiled, as the submitter loads it), so they are exported from its top level.
 */
import 'reflect-metadata';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactPlugin, Experiment, LoggingPlugin, Pipeline } from 'crystallize';
import { DistributedExecution } from '@crystallize/distributed';
import { Burn } from './w3-experiments.js';

/** The repository: the root workers load this module under. */
export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const ROOT = process.env.CZ_BENCH_DIR
  ? join(process.env.CZ_BENCH_DIR, 'w5')
  : join(tmpdir(), `cz-bench-w5-${process.pid}`);

function make(name: string, iterations: number): Experiment {
  return new Experiment({
    name,
    datasource: (ctx) => ctx.get<number>('replicate') ?? 0,
    pipeline: new Pipeline([Burn.with({ iterations })]),
    plugins: [
      new ArtifactPlugin({ rootDir: ROOT }),
      new LoggingPlugin({ level: 'silent' }),
      new DistributedExecution({
        connection: process.env.CZ_REDIS_URL ?? 'redis://127.0.0.1:6379',
        queue: process.env.CZ_QUEUE ?? 'crystallize-bench',
        root: REPO,
        pollInterval: 500,
      }),
    ],
    cache: false,
  });
}

export const w5Distributed = make('w5-distributed', 100_000_000);
export const w5QuickDistributed = make('w5-quick-distributed', 100_000);
/** Trivial replicates: what dispatching one replicate through Redis costs. */
export const w5TrivialDistributed = make('w5-trivial-distributed', 0);
