/**
 * Imported by ParallelExecution's worker threads (the module URL a folder experiment is built
 * with): rebuilds the experiment from its folder with the options the parent used, so a worker
 * runs exactly what the parent planned. Query: `?folder=<abs path>&options=<json>`.
 */
import { loadExperiment } from './load-experiment.js';
import type { LoadOptions } from './load-options.js';

const query = new URL(import.meta.url).searchParams;
const folder = query.get('folder');

export const experiment = folder
  ? await loadExperiment(folder, JSON.parse(query.get('options') ?? '{}') as LoadOptions)
  : undefined;
