/**
 * @crystallize/config — folder experiments: `experiments/<name>/config.yaml` plus TypeScript
 * modules, loaded into the same `Experiment` / `ExperimentGraph` objects the TypeScript API
 * builds, with every problem reported at once as a `ConfigError` with file:line:column.
 */
export { ConfigError, formatIssue, type ConfigIssue } from './config-error.js';
export { loadExperiment } from './load-experiment.js';
export { loadExperimentGraph, loadGraphExperiments } from './load-experiment-graph.js';
export type { LoadOptions } from './load-options.js';
export { folderModuleUrl, folderSourceOf, type FolderSource } from './folder-source.js';
export { readFolderInfo, findExperimentFolders, folderOf, type FolderInfo } from './folder-info.js';
export type { ExperimentConfig } from './schema/config.schema.js';
export { builtinVerifiers } from './build/build-hypotheses.js';
export { importModule } from './internal/folder-modules.js';
export { didYouMean, suggest } from './internal/did-you-mean.js';
