import type { FrozenContext, Logger, Step } from '@crystallize/core';
import type { StepRecord } from '../pipeline/step-record.js';
import type { Result } from '../results/result.js';
import type { Experiment } from '../experiment/experiment.js';

/** What a run is about to do; plugins read it and may fill in `dir`. */
export interface RunContext {
  readonly experiment: Experiment;
  readonly replicates: number;
  /** Conditions of this run: 'baseline' then treatment names. */
  readonly conditions: readonly string[];
  readonly strategy: 'rerun' | 'resume';
  readonly signal: AbortSignal | undefined;
  /** The folder this run's results go to (set by the ArtifactPlugin, if any). */
  dir: string | undefined;
  /** The run's logger (set by the LoggingPlugin, else the process logger). */
  logger: Logger;
  /** Conditions reloaded from a previous run by `resume` (not run again). */
  readonly reused: Set<string>;
}

/**
 * Extends an experiment's lifecycle. Every hook is optional:
 * `initHook` (construction) → `beforeRun` → per replicate and condition `beforeReplicate` →
 * datasource → per step `beforeStep` / `afterStep` → `afterRun`.
 */
export abstract class BasePlugin {
  initHook?(experiment: Experiment): void;
  beforeRun?(experiment: Experiment, run: RunContext): void | Promise<void>;
  beforeReplicate?(experiment: Experiment, ctx: FrozenContext): void | Promise<void>;
  beforeStep?(experiment: Experiment, step: Step, ctx: FrozenContext): void;
  afterStep?(
    experiment: Experiment,
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
    experiment: Experiment,
    record: StepRecord,
    where: { readonly condition: string; readonly replicate: number },
  ): void;
  afterRun?(experiment: Experiment, result: Result, run: RunContext): void | Promise<void>;
  /** The run threw after `beforeRun` (no result): release what `beforeRun` took. */
  runFailed?(experiment: Experiment, error: unknown, run: RunContext): void | Promise<void>;
}
