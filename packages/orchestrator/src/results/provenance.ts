import type { StepRecord } from '../model/step-record.js';

/** Where a condition's results come from: this run, or a stored run that resume reused. */
export interface ConditionOrigin {
  /** True when `resume` reloaded the condition instead of running it. */
  readonly reused: boolean;
  /** The stored version (`v<N>`) a reused condition was read from. */
  readonly fromVersion?: number;
}

export interface Provenance {
  readonly pipelineSignature: string;
  readonly replicates: number;
  readonly seeds: Readonly<Record<string, readonly number[]>>;
  readonly ctxChanges: Readonly<Record<string, Readonly<Record<number, readonly StepRecord[]>>>>;
  /** Per condition: ran in this run, or reused by resume (and from which version). */
  readonly conditions?: Readonly<Record<string, ConditionOrigin>>;
}
