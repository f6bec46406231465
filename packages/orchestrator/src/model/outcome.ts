import type { ArtifactContentType } from '../artifacts/content-type.js';
import type { StorageOperation } from '@crystallize/core';
import type { StepRecord } from './step-record.js';

/** The property that marks a {@link TransportedError} (a plain object that was an error). */
export const TRANSPORTED_ERROR_MARK = '__crystallizeTransportedError';

/** An error as plain, structured-clone-safe data (built and read by `execution/error-transport`). */
export interface TransportedError {
  readonly [TRANSPORTED_ERROR_MARK]: 1;
  /** Constructor names up the prototype chain, the error's own class first. */
  readonly classes: readonly string[];
  readonly name: string;
  /** Whether `name` was an own property (set by the constructor) rather than inherited. */
  readonly ownName: boolean;
  readonly message: string;
  readonly stack?: string;
  readonly hasCause: boolean;
  readonly cause?: unknown;
  /** AggregateError's `errors`. */
  readonly errors?: readonly unknown[];
  /** Own enumerable properties (`code`, `stepName`, a user's `detail`...), each transported. */
  readonly props: Readonly<Record<string, unknown>>;
}

/** An error in a form that survives a worker boundary and JSON. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly stepName?: string;
  /**
   * The whole error (class chain, own properties, cause), when it crossed a worker boundary:
   * the receiving side rebuilds it with its real class (internal; not written to results).
   */
  readonly transported?: TransportedError;
}

/** A `StorageError` as plain data: it crosses worker threads inside a replicate outcome. */
export interface SerializedStorageError {
  readonly path: string;
  readonly operation: StorageOperation;
  readonly code: string;
  readonly message: string;
}

/** One condition of one replicate, as the runner produced it. Plain data: it crosses workers. */
export interface ConditionOutcome {
  readonly condition: string;
  readonly replicate: number;
  readonly seed: number;
  readonly metrics: Readonly<Record<string, readonly unknown[]>>;
  readonly records: readonly StepRecord[];
  /** Relative paths of artifact files written for this condition and replicate. */
  readonly artifacts: readonly {
    readonly name: string;
    readonly step: string;
    readonly path: string;
    readonly contentType?: ArtifactContentType;
  }[];
  readonly error?: SerializedError;
  /** Context keys this condition's treatment set (the unused-treatment-key check). */
  readonly treatmentKeys?: readonly string[];
  /** Context keys read through `ctx.get` or `@Param` injection in this condition (reserved keys left out). */
  readonly readKeys?: readonly string[];
  /** Artifact files that could not be written (the condition's metrics still count). */
  readonly storageErrors?: readonly SerializedStorageError[];
  /** Why a cacheable step's output could not be written to the cache (it ran uncached). */
  readonly cacheWriteFailure?: string;
}

export interface ReplicateOutcome {
  readonly replicate: number;
  readonly conditions: readonly ConditionOutcome[];
}

/** Everything that decides a condition's results, hashed whole and part by part (resume compares it). */
export interface ConditionFingerprint {
  readonly hash: string;
  readonly parts: Readonly<Record<string, string>>;
}
