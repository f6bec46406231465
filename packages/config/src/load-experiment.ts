import type { Experiment } from '@crystallize/orchestrator';
import { FolderLoader } from './folder-loader.js';
import { orThrow } from './loaded-folder.js';
import type { LoadOptions } from './load-options.js';

/**
 * Builds the `Experiment` a folder describes: `config.yaml` plus `datasources.ts`, `steps.ts`,
 * `verifiers.ts` and `outputs.ts` (TypeScript loads without a build step). Throws
 * {@link ConfigError} listing every problem, each with file:line:column. An upstream named by
 * `datasource: "up#output"` is loaded from the sibling folder `up`.
 *
 * @example
 * const exp = await loadExperiment('experiments/scale-demo');
 * const result = await exp.run();
 */
export async function loadExperiment(
  folder: string,
  options: LoadOptions = {},
): Promise<Experiment> {
  return orThrow(await new FolderLoader(options).load(folder));
}
