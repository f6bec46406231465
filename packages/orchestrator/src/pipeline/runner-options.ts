import type { OnUnencodable } from '@crystallize/cache';
import type { FrozenContext, Step } from '@crystallize/core';
import type { StepRecord } from '../model/step-record.js';
import type { StepOutputCache } from './step-cache.js';
import type { StepGraph } from './step-graph.js';

/** How the pipeline runner runs one replicate's steps: cache, verbosity and plugin step hooks. */
export interface RunnerOptions {
  readonly steps: readonly Step[];
  /** A branching pipeline's nodes; when set, `steps` is only their topological order. */
  readonly graph?: StepGraph | undefined;
  readonly cache: StepOutputCache | undefined;
  /** Record context reads (needs the context's onRead to push into `reads`). */
  readonly verbose: boolean;
  /** What to do when a cacheable step's output cannot be encoded. */
  readonly onUnencodable: OnUnencodable;
  readonly beforeStep: readonly ((step: Step, ctx: FrozenContext) => void)[];
  readonly afterStep: readonly ((
    step: Step,
    data: unknown,
    ctx: FrozenContext,
    record: StepRecord,
  ) => void)[];
}
