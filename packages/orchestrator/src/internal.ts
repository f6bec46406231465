/**
 * @crystallize/orchestrator/internal — what Crystallize's own packages need of the orchestrator
 * beyond its public API (execution backends that rebuild experiments elsewhere). Not a user API:
 * names here may change in any release.
 */
export { buildRunSpec, type RunSpec } from './execution/run-spec.js';
export {
  assertFunctionTreatmentsDeclared,
  assertModuleExportMatches,
} from './execution/experiment-identity.js';
export { toModuleUrl } from './execution/defining-module.js';
export { encodeError, decodeError, type TransportedError } from './execution/error-transport.js';
export { serializeError } from './experiment/condition-runner.js';
export { createProgress, type Progress } from './execution/progress.js';
export { crashedOutcome, rebuildWorkerFile, receivedOutcome } from './execution/rebuild-runtime.js';
export type { WorkerTask } from './execution/parallel.worker.js';
