import { CrystallizeError, ValidationError } from '@crystallize/core';

/** Redis cannot be reached, or refused the credentials (the URL in the message has no password). */
export class RedisConnectionError extends CrystallizeError {}

/**
 * A worker refused a job: its module is outside the worker's root, or the experiment it rebuilt
 * differs from the submitted one (code or configuration). Never retried.
 */
export class WorkerRefusedError extends ValidationError {}

/** A replicate's job was lost: every worker running it stopped mid-job, or it failed on the worker side. */
export class ReplicateLostError extends CrystallizeError {}

/** A replicate's artifact files are larger than a worker carries back with a result. */
export class ArtifactTransportError extends CrystallizeError {}
