import type { OnUnencodableOption } from '@crystallize/cache';
import type { DataSourceLike, StepLike, Treatment } from '@crystallize/core';
import type { Artifact } from '../artifacts/artifact.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { StepOutputCache } from '../pipeline/step-cache.js';
import type {
  AnyHypothesis,
  ExperimentPlugin,
  RunOptions,
  Strategy,
} from '../model/experiment-model.js';

export type { AnyHypothesis, RunOptions, Strategy };

export interface ExperimentOptions<In = unknown> {
  /** Folder-safe name; default: derived from the pipeline signature. */
  readonly name?: string;
  /** What this experiment is for, in a sentence; kept in the stored run's `metadata.json`. */
  readonly description?: string;
  readonly datasource: DataSourceLike<In>;
  readonly pipeline: Pipeline | readonly StepLike[];
  readonly plugins?: readonly ExperimentPlugin[];
  readonly treatments?: readonly Treatment[];
  readonly hypotheses?: readonly AnyHypothesis[];
  /** Default 1; a data source's own count and `run({ replicates })` take precedence. */
  readonly replicates?: number;
  /** Context values every replicate starts with (treatments override them). */
  readonly initialCtx?: Readonly<Record<string, unknown>>;
  /** Artifacts this experiment produces for downstream experiments. */
  readonly outputs?: readonly Artifact[];
  /**
   * Where cacheable steps are memoised: a store, or `false` to disable caching.
   * Default: the msgpackr store under `CRYSTALLIZE_CACHE_DIR` (`.cache`).
   */
  readonly cache?: StepOutputCache | false;
  /** The module defining this experiment, for worker threads (default: found from the call stack). */
  readonly module?: string;
  /** A cacheable step whose output cannot be encoded: fail it ('error', default) or run it uncached ('skip'); 'throw' is read as 'error' (deprecated). */
  readonly onUnencodable?: OnUnencodableOption;
}
