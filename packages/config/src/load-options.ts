import type { ExecutionPlugin } from '@crystallize/orchestrator';

/** How a folder experiment is built; the command sets these from its options. */
export interface LoadOptions {
  /** Where results are stored (the ArtifactPlugin's `rootDir`); default `data`, relative to the working directory. */
  readonly dataDir?: string;
  /** Overrides `execution:` of config.yaml. */
  readonly execution?: 'serial' | 'async' | 'parallel';
  /** Overrides `workers:` (worker threads for parallel, concurrent replicates for async). */
  readonly workers?: number;
  /** Overrides `seed:`. */
  readonly seed?: number;
  /** `false`: cacheable steps run uncached. */
  readonly cache?: boolean;
  /** Progress bars on a terminal (serial and parallel). */
  readonly progress?: boolean;
  /** pino level of the run's logs on stderr (default: `CRYSTALLIZE_LOG_LEVEL` or `info`). */
  readonly logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * An execution backend used instead of the one `execution:` names — e.g. a
   * `DistributedExecution` (`crystallize run --distributed URL`). It stays in this process: the
   * rebuilt copies in workers do not need one.
   */
  readonly executionPlugin?: ExecutionPlugin;
}
