/**
 * @crystallize/orchestrator — runs what core declares: pipelines, experiments, plugins,
 * execution strategies, results and resume.
 */
export { Pipeline } from './pipeline/pipeline.js';
export type { StepGraph, StepGraphSpec, StepNode, StepNodeSpec } from './pipeline/step-graph.js';
export type { StepRecord } from './model/step-record.js';
export type { StepOutputCache, CachedStepOutput } from './pipeline/step-cache.js';
export { Experiment } from './experiment/experiment.js';
export type { ExperimentOptions, RunOptions, Strategy } from './experiment/experiment-options.js';
export { ExperimentBuilder } from './experiment/experiment-builder.js';
export type { ApplyOptions } from './run/apply.js';
export { BaseOptimizer, type Objective } from './run/optimize.js';
export {
  interruptOnSignals,
  type InterruptOnSignalsOptions,
  type Interruption,
} from './run/interrupt-on-signals.js';
export { BasePlugin, type RunContext } from './plugins/plugin.js';
export type {
  ExecutionBackend,
  ExperimentModel,
  ExperimentPlugin,
  UnencodablePolicy,
} from './model/experiment-model.js';
export { SeedPlugin, seedMathRandom, type SeedPluginOptions } from './plugins/seed.plugin.js';
export { LoggingPlugin, type LoggingPluginOptions } from './plugins/logging.plugin.js';
export { ArtifactPlugin, type ArtifactPluginOptions } from './plugins/artifact.plugin.js';
export { RunLockedError, type RunLockHolder } from './storage/run-lock.js';
export {
  ExecutionPlugin,
  type LoopOptions,
  type ReplicateFn,
} from './execution/execution.plugin.js';
export { SerialExecution } from './execution/serial.execution.js';
export { AsyncExecution } from './execution/async.execution.js';
export {
  ParallelExecution,
  type ParallelExecutionOptions,
} from './execution/parallel.execution.js';
export type { ConditionOutcome, ReplicateOutcome, SerializedError } from './model/outcome.js';
export {
  Artifact,
  type ArtifactOptions,
  type ArtifactLoader,
  type ArtifactWriter,
} from './artifacts/artifact.js';
export {
  Result,
  ExperimentMetrics,
  ConditionMetrics,
  HypothesisResult,
  type HypothesisTreatmentSummary,
  type ConditionOrigin,
  type Provenance,
  type StoredArtifact,
} from './results/result.js';
export type { ToReportOptions } from './results/report-hook.js';
export type {
  ConditionFailure,
  HypothesisFailure,
  RunFailures,
  UnusedTreatmentKey,
} from './results/run-health.js';
export { ArtifactDataSource } from './artifacts/artifact-datasource.js';
export {
  defaultArtifactLoader,
  type ArtifactContentType,
  type ArtifactFileInfo,
} from './artifacts/content-type.js';
export { ExperimentGraph } from './graph/experiment-graph.js';
export { ExperimentGraphError } from './graph/experiment-graph-error.js';
export type { GraphEvent, GraphRunOptions } from './graph/graph-events.js';
export { quickExperiment } from './onramps/quick-experiment.js';
export {
  registerDatasource,
  getDatasource,
  listDatasources,
  dataSource,
} from './onramps/datasource-registry.js';
