import type { Treatment } from '@crystallize/core';
import type { Strategy } from '../experiment/experiment-options.js';
import type { Result } from '../results/result.js';

/**
 * Progress of an {@link ExperimentGraph} run, one event per state change of a node:
 * `running` → `completed` | `failed`; `skipped` when an upstream failed or the run was aborted;
 * `reused` when `strategy: 'resume'` found the node complete and left it as it was.
 */
export type GraphEvent =
  | { readonly type: 'running'; readonly experiment: string; readonly strategy: Strategy }
  | { readonly type: 'completed'; readonly experiment: string; readonly result: Result }
  | { readonly type: 'reused'; readonly experiment: string; readonly result: Result }
  | { readonly type: 'failed'; readonly experiment: string; readonly error: Error }
  | { readonly type: 'skipped'; readonly experiment: string; readonly reason: string };

export interface GraphRunOptions {
  /** Replaces every experiment's treatments (default: each node's own plus its parents'). */
  readonly treatments?: readonly Treatment[];
  /** Replicates for every experiment (default: each node's own). */
  readonly replicates?: number;
  /** 'resume' skips complete, fingerprint-matching experiments; default 'rerun'. */
  readonly strategy?: Strategy;
  /** Stop at once (see `RunOptions.signal`); experiments not started yet are skipped. */
  readonly signal?: AbortSignal;
  /** Stop gracefully (see `RunOptions.drain`); experiments not started yet are skipped. */
  readonly drain?: AbortSignal;
  /** Called for every {@link GraphEvent}, in the order they happen. */
  readonly onEvent?: (event: GraphEvent) => void;
}
