import type { ArtifactContentType } from '../artifacts/content-type.js';
import type { StepRecord } from '../pipeline/step-record.js';

/** An error in a form that survives a worker boundary and JSON. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly stepName?: string;
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
}

export interface ReplicateOutcome {
  readonly replicate: number;
  readonly conditions: readonly ConditionOutcome[];
}
