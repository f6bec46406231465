/*
 * Every use of the orchestrator's internals by this package, in one place: after the
 * orchestrator's restructure, only this file needs re-pointing. The rest of the package imports
 * these names from here (public orchestrator names it may import directly).
 */
export {
  assertFunctionTreatmentsDeclared,
  assertModuleExportMatches,
  buildRunSpec,
  createProgress,
  decodeError,
  encodeError,
  failedOutcome,
  rebuildWorkerFile,
  receivedOutcome,
  serializeError,
  type Progress,
  type RunSpec,
  type TransportedError,
  type WorkerTask,
} from '@crystallize/orchestrator/internal';
