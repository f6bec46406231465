/**
 * @crystallize/core/internal — what other Crystallize packages share with core beyond its public
 * API: the step model store, step normalisation and code-fingerprint helpers. Not a public API:
 * it may change in any release.
 */
export { getStepModel, type StepModel, type ParamModel } from './step/step-model.js';
export { toStep } from './step/step.js';
export { unpackMetrics } from './step/with-metrics.js';
export { normalizeSource } from './hashing/code-fingerprint.js';
/** Where user code was declared, for code fingerprints (orchestrator: data sources). */
export { recordDefinitionSite } from './hashing/definition-site.js';
export { stepMemberNames } from './step/step-members.js';
/** pino, loaded on first use (the orchestrator's LoggingPlugin). */
export { loadPino } from './context/logger.js';
/** class-transformer, loaded on first use (the orchestrator's Result (de)serialisation). */
export { loadClassTransformer } from './step/coerce-param.js';
/** The one conversion of loose values (context, YAML) to a `@Param`'s type (config uses it). */
export { coerceParam, type CoercedParam } from './step/coerce-param.js';
