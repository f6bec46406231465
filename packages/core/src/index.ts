/**
 * @crystallize/core — what a user declares: context, steps and their decorators, data sources,
 * treatments, hypotheses, verifiers and errors. Running them is @crystallize/orchestrator's job.
 */
export {
  CrystallizeError,
  ContextMutationError,
  InjectionError,
  StepDefinitionError,
  PipelineExecutionError,
  MissingMetricError,
  ValidationError,
  CacheError,
  StorageError,
  type StorageOperation,
} from './errors.js';
export {
  RESERVED_CONTEXT_KEYS,
  BASELINE_CONDITION,
  DEFAULT_MASTER_SEED,
  type ReservedContextKey,
} from './constants.js';

export {
  FrozenContext,
  standaloneContext,
  type FrozenContextOptions,
} from './context/frozen-context.js';
export {
  Metrics,
  type MetricRecord,
  type MetricTags,
  type MetricValue,
} from './context/metrics.js';
export { ArtifactLog, type ArtifactEntry } from './context/artifact-log.js';
export { createRng, type Rng, type RngStream } from './context/rng.js';
export { rootLogger, setRootLogger, type Logger, type LogLevel } from './context/logger.js';

export {
  PipelineStep,
  type PipelineStepOptions,
  type StepMethodDecorator,
} from './decorators/pipeline-step.decorator.js';
export {
  Param,
  type ParamOptions,
  type ParamFieldDecorator,
} from './decorators/param.decorator.js';

export {
  Step,
  StepFactory,
  type StepClass,
  type StepBuilder,
  type StepLike,
  type StepOutput,
  type StepParamsInput,
  type StepParamsOf,
} from './step/step.js';
export type { ResolvedParams, ParamSource } from './step/injection.js';
export {
  pipelineStep,
  type FunctionStepFactory,
  type FunctionStepOptions,
} from './step/function-step.js';
export { withMetrics, isWithMetrics, type WithMetrics } from './step/with-metrics.js';
export {
  resourceFactory,
  resourceKey,
  clearResources,
  type ResourceFactory,
} from './step/resource-factory.js';

export { hashValue, HASH_IDENTITY, type HashIdentity } from './hashing/hash-value.js';
export { codeFingerprint } from './hashing/code-fingerprint.js';

export {
  DataSource,
  ExperimentInput,
  toDataSource,
  type DataSourceFn,
  type DataSourceLike,
} from './declarations/data-source.js';
export {
  Treatment,
  treatment,
  type TreatmentFn,
  type TreatmentValues,
} from './declarations/treatment.js';
export {
  verifier,
  isVerifierFactory,
  type MetricSamples,
  type Verifier,
  type VerifierFactory,
  type VerifierFn,
  type VerifierParams,
} from './declarations/verifier.js';
export {
  Hypothesis,
  hypothesis,
  type ConditionMetricMap,
  type HypothesisOptions,
  type MetricSelection,
  type PValueCorrection,
  type Ranking,
} from './declarations/hypothesis.js';
