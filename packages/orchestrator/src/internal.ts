/**
 * @crystallize/orchestrator/internal — what other Crystallize packages (the CLI, the report, a
 * distributed backend) share with the orchestrator beyond its public API: the experiment model
 * they program against and the reader of stored runs. Not a public API: it may change in any
 * release.
 */
export type {
  ConditionFingerprint,
  ExecutionBackend,
  ExperimentModel,
  ExperimentPlugin,
  LoopOptions,
  PlanExtras,
  ReplicateEnv,
  ReplicateFn,
  ReplicateSeeder,
  RunContext,
  RunPlan,
  RunStore,
} from './model/experiment-model.js';
export { isExecutionBackend, runStoreOf, seederOf } from './model/experiment-model.js';
export {
  PLUGIN_KIND,
  ARTIFACT_BRAND,
  findPlugin,
  isPluginLike,
  pluginKind,
  type PluginKind,
} from './model/plugin-kinds.js';
export type {
  ConditionOutcome,
  ReplicateOutcome,
  SerializedError,
  TransportedError,
} from './model/outcome.js';
export {
  COMPLETE_MARKER,
  HYPOTHESES_FILE,
  MANIFEST_FILE,
  METADATA_FILE,
  PROVENANCE_FILE,
  RESULTS_FILE,
  RUN_LOG_FILE,
  artifactRelPath,
  latestVersionDir,
  listVersions,
  versionDir,
  versionOf,
} from './storage/run-layout.js';
export {
  readManifest,
  readRunMetadata,
  readStoredRun,
  readStoredRuns,
  type StoredManifest,
  type StoredManifestEntry,
  type StoredRun,
  type StoredRunMetadata,
} from './storage/stored-run.js';
export {
  readCompletedCondition,
  readConditionProvenance,
  readConditionSummary,
  readStoredCondition,
  type StoredCondition,
  type StoredConditionSummary,
} from './storage/stored-condition.js';
export { fromStoredJson, toStoredJson } from './storage/stored-json.js';
export { decodeDurations } from './storage/provenance-store.js';

// Execution backends that rebuild experiments elsewhere (@crystallize/distributed).
export { buildRunSpec, type RunSpec } from './execution/run-spec.js';
export {
  assertFunctionTreatmentsDeclared,
  assertModuleExportMatches,
} from './execution/module-export-check.js';
export { toModuleUrl } from './execution/defining-module.js';
export { encodeError, decodeError } from './execution/error-transport.js';
export { serializeError } from './model/serialized-error.js';
export { createProgress, type Progress } from './execution/progress.js';
export {
  crashedOutcome,
  failedOutcome,
  rebuildWorkerFile,
  receivedOutcome,
} from './execution/rebuild-runtime.js';
export type { WorkerTask } from './execution/parallel.worker.js';

// `result.toReport()`: the report package (and `crystallize`) register the writer.
export { registerReportWriter, type ReportWriter } from './results/report-hook.js';
