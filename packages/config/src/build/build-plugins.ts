import {
  ArtifactPlugin,
  AsyncExecution,
  LoggingPlugin,
  ParallelExecution,
  SeedPlugin,
  SerialExecution,
  type BasePlugin,
} from '@crystallize/orchestrator';
import type { LoadOptions } from '../load-options.js';
import type { ExperimentConfig } from '../schema/config.schema.js';

function executionPlugin(
  mode: string | undefined,
  workers: number | undefined,
  module: string,
  progress: boolean,
): BasePlugin {
  if (mode === 'parallel')
    return new ParallelExecution({ module, progress, ...(workers ? { maxWorkers: workers } : {}) });
  if (mode === 'async') return new AsyncExecution(workers ? { concurrency: workers } : {});
  return new SerialExecution({ progress });
}

/**
 * The plugins of a folder experiment: versioned storage under `dataDir`, logging, the execution
 * backend (the options' plugin, else the options' or config's mode), and the seed.
 */
export function buildPlugins(
  config: Partial<ExperimentConfig>,
  o: LoadOptions,
  module: string,
): BasePlugin[] {
  const plugins: BasePlugin[] = [
    new ArtifactPlugin({ rootDir: o.dataDir ?? 'data', versioned: true }),
    new LoggingPlugin(o.logLevel ? { level: o.logLevel } : {}),
    o.executionPlugin ??
      executionPlugin(
        o.execution ?? config.execution,
        o.workers ?? config.workers,
        module,
        o.progress ?? false,
      ),
  ];
  const seed = o.seed ?? config.seed;
  if (seed !== undefined) plugins.push(new SeedPlugin({ seed }));
  return plugins;
}
