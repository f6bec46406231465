import type { FrozenContext, Step } from '@crystallize/core';
import type { StepRecord } from '../model/step-record.js';
import type { Result } from '../results/result.js';
import type { ExperimentModel, ExperimentPlugin, RunContext } from '../model/experiment-model.js';
import { PLUGIN_BRAND } from '../model/plugin-kinds.js';

export type { RunContext, ExperimentPlugin };

/**
 * Extends an experiment's lifecycle. Every hook is optional:
 * `initHook` (construction) → `beforeRun` → per replicate and condition `beforeReplicate` →
 * datasource → per step `beforeStep` / `afterStep` → `afterRun`.
 *
 * Plugins are recognised by shape ({@link ExperimentPlugin}), not by this class: extending it is
 * a convenience, and a plugin built by another copy of the framework works the same.
 */
export abstract class BasePlugin implements ExperimentPlugin {
  /** Marks plugins of every copy of the framework (see `model/plugin-kinds.ts`). */
  get [PLUGIN_BRAND](): true {
    return true;
  }
  initHook?(experiment: ExperimentModel): void;
  beforeRun?(experiment: ExperimentModel, run: RunContext): void | Promise<void>;
  beforeReplicate?(experiment: ExperimentModel, ctx: FrozenContext): void | Promise<void>;
  beforeStep?(experiment: ExperimentModel, step: Step, ctx: FrozenContext): void;
  afterStep?(
    experiment: ExperimentModel,
    step: Step,
    data: unknown,
    ctx: FrozenContext,
    record: StepRecord,
  ): void;
  /**
   * Runs in the parent process for every step record as its replicate completes, whatever the
   * execution strategy — unlike `afterStep`, which runs where the step ran (a worker thread under
   * ParallelExecution). Use it for observers that must see every step in one place.
   */
  afterStepRecord?(
    experiment: ExperimentModel,
    record: StepRecord,
    where: { readonly condition: string; readonly replicate: number },
  ): void;
  afterRun?(experiment: ExperimentModel, result: Result, run: RunContext): void | Promise<void>;
  /** The run threw after `beforeRun` (no result): release what `beforeRun` took. */
  runFailed?(experiment: ExperimentModel, error: unknown, run: RunContext): void | Promise<void>;
}
