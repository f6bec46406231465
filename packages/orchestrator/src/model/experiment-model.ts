/*
 * The shapes every part of a run shares — what plugins, execution backends, artifacts, results,
 * the graph and the runner need of an experiment — in one module that imports only lower
 * layers, and those only for types (the pipeline, the result, the outcome and record shapes;
 * see the diagram in the README). Nothing here imports the
 * `Experiment` class: it implements {@link ExperimentModel}, and everything else depends on that.
 */
import type {
  DataSource,
  FrozenContext,
  Hypothesis,
  Logger,
  Step,
  Treatment,
} from '@crystallize/core';
import type { OnUnencodable } from '@crystallize/cache';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { RunnerOptions } from '../pipeline/pipeline-runner.js';
import type { StepOutputCache } from '../pipeline/step-cache.js';
import type { Result } from '../results/result.js';
import type { ConditionFingerprint, ReplicateOutcome } from './outcome.js';
import { findPluginOfKind } from './plugin-kinds.js';
import type { StepRecord } from './step-record.js';

export type { ConditionFingerprint };

/** `'rerun'` runs every condition; `'resume'` reuses stored conditions whose fingerprint matches. */
export type Strategy = 'rerun' | 'resume';

/** A cacheable step whose output cannot be encoded: fail it (`'error'`) or run it uncached (`'skip'`). */
export type UnencodablePolicy = OnUnencodable;

/** A hypothesis with any verifier output (core's `Hypothesis<R>` is covariant in `R`). */
export type AnyHypothesis = Hypothesis<unknown>;

/** What `run()` accepts: overrides of the experiment's own settings for one run. */
export interface RunOptions {
  readonly replicates?: number;
  readonly treatments?: readonly Treatment[];
  readonly hypotheses?: readonly AnyHypothesis[];
  readonly strategy?: Strategy;
  /**
   * Stop at once: no new replicate starts, running worker threads are terminated, completed
   * replicates are kept and stored. `result.aborted` is then true.
   */
  readonly signal?: AbortSignal;
  /**
   * Stop gracefully: no new replicate starts, replicates in flight finish and are stored, then
   * `run()` resolves with `result.aborted === true`. `interruptOnSignals()` wires Ctrl-C to it.
   */
  readonly drain?: AbortSignal;
}

/** A resolved `run()` call: what to run and how. */
export interface RunPlan {
  readonly replicates: number;
  readonly treatments: readonly Treatment[];
  readonly baselineTreatment: Treatment | undefined;
  readonly hypotheses: readonly Hypothesis<unknown>[];
  readonly strategy: Strategy;
  readonly signal: AbortSignal | undefined;
  readonly drain: AbortSignal | undefined;
  readonly verbose: boolean;
  readonly store: boolean;
  readonly execution: ExecutionBackend | undefined;
}

/** How `debug()` and the like plan a run beyond what `run()` options say. */
export interface PlanExtras {
  readonly verbose?: boolean;
  readonly store?: boolean;
  readonly execution?: ExecutionBackend;
}

/** What a run is about to do; plugins read it and may fill in `dir`. */
export interface RunContext {
  readonly experiment: ExperimentModel;
  readonly replicates: number;
  /** Conditions of this run: 'baseline' then treatment names. */
  readonly conditions: readonly string[];
  readonly strategy: Strategy;
  /**
   * Aborted when the run was stopped (its `signal` or `drain`) before every replicate ran —
   * checked when storing: such a run's conditions are not marked complete.
   */
  readonly signal: AbortSignal | undefined;
  /** The folder this run writes its results to (set by the ArtifactPlugin, if any). */
  dir: string | undefined;
  /**
   * The folder the results end up in, when it differs from `dir`: an unversioned run writes to
   * a staging folder swapped into `v0` at its end (`Result.dir` names this one).
   */
  resultDir?: string | undefined;
  /** The run's logger (set by the LoggingPlugin, else the process logger). */
  logger: Logger;
  /** Conditions reloaded from a previous run by `resume` (not run again). */
  readonly reused: Set<string>;
}

/**
 * The hooks of a plugin, every one optional: `initHook` (construction) → `beforeRun` → per
 * replicate and condition `beforeReplicate` → datasource → per step `beforeStep` / `afterStep`
 * → `afterStepRecord` (parent side) → `afterRun` (or `runFailed`). Any object with these
 * methods is a plugin; `BasePlugin` is a convenient base class, not a requirement.
 */
export interface ExperimentPlugin {
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

/** What an execution backend is told about the replicates it runs. */
export interface LoopOptions {
  /** Replicate indices to run, in order. */
  readonly replicates: readonly number[];
  /** Stop at once: start no replicate, terminate running ones (their outcome is not reported). */
  readonly signal: AbortSignal | undefined;
  /** Stop gracefully: start no replicate; those running finish and are reported. */
  readonly drain?: AbortSignal | undefined;
  /** The resolved run (treatments, verbosity, ...): what a worker needs to rebuild it. */
  readonly plan: RunPlan;
  /** Conditions to run in each replicate (resume may have reused others). */
  readonly conditions: readonly string[];
  /**
   * Replicates that run only some of `conditions` (resume reused the others from a journal):
   * the conditions each of them runs. Replicates not listed run all of `conditions`.
   */
  readonly replicateConditions?: ReadonlyMap<number, readonly string[]>;
  /** The run's results folder, if results are stored. */
  readonly runDir: string | undefined;
  /** The seed of a replicate (for reporting a replicate that never ran). */
  readonly seedFor: (replicate: number) => number;
  /** Must be called with each replicate's outcome as it finishes; the run folds it into the result. */
  readonly onReplicateDone: (outcome: ReplicateOutcome) => void;
}

/** Runs one replicate in this thread (serial and async backends call it). */
export type ReplicateFn = (replicate: number) => Promise<ReplicateOutcome>;

/**
 * Decides how replicates run: any plugin with a `runExperimentLoop` method (detected by shape).
 * An experiment uses the last one in its plugin list, default serial.
 */
export interface ExecutionBackend extends ExperimentPlugin {
  /** True when replicates of this strategy can run at the same time in one thread. */
  readonly concurrentInThread: boolean;
  /** Runs `options.replicates`, handing each outcome to `options.onReplicateDone`. */
  runExperimentLoop(
    experiment: ExperimentModel,
    runReplicate: ReplicateFn,
    options: LoopOptions,
  ): Promise<void>;
}

/** Whether a plugin is an execution backend: it has `runExperimentLoop`. */
export function isExecutionBackend(plugin: unknown): plugin is ExecutionBackend {
  return (
    typeof plugin === 'object' &&
    plugin !== null &&
    typeof (plugin as { runExperimentLoop?: unknown }).runExperimentLoop === 'function'
  );
}

/** The role the SeedPlugin plays in a run (found by its kind, `'seed'`). */
export interface ReplicateSeeder {
  readonly seed: number;
  readonly autoSeed: boolean;
  /** The seed of replicate `replicate`. */
  seedFor(replicate: number): number;
  /** Seeds global randomness for one replicate and condition (when `autoSeed`). */
  apply(seed: number): void;
}

/** The role the ArtifactPlugin plays for readers of stored runs (found by its kind, `'artifact'`). */
export interface RunStore {
  readonly rootDir: string;
  /** `<rootDir>/<experiment name>`. */
  experimentDir(experiment: Pick<ExperimentModel, 'name'>): string;
  /** The newest version folder, if any run was stored. */
  latestDir(experiment: Pick<ExperimentModel, 'name'>): string | undefined;
  /** Points artifact writes at a run folder chosen elsewhere (a worker thread of a parallel run). */
  useRunDir(dir: string | undefined): void;
  /** Folders `resume` may take stored results from, best first (default: `latestDir`). */
  resumeSources?(experiment: Pick<ExperimentModel, 'name'>): readonly string[];
  /** Persists one replicate's outcome as it arrives (the run journal), in the parent process. */
  recordReplicate?(
    run: RunContext,
    outcome: ReplicateOutcome,
    fingerprints: Readonly<Record<string, ConditionFingerprint>>,
  ): void;
}

/** Everything needed to run replicates of one experiment run; built once per run. */
export interface ReplicateEnv {
  readonly datasource: DataSource;
  readonly runner: RunnerOptions;
  readonly initialCtx: Readonly<Record<string, unknown>>;
  /** Treatments to run after the baseline, in order. */
  readonly treatments: readonly Treatment[];
  /** A treatment named 'baseline', applied to the baseline condition. */
  readonly baselineTreatment: Treatment | undefined;
  /** Conditions to run (others were reused by resume). */
  readonly conditions: ReadonlySet<string>;
  /** Replicates that run only some of `conditions` (resume reused the rest): their conditions. */
  readonly replicateConditions?: ReadonlyMap<number, ReadonlySet<string>>;
  readonly seedPlugin: ReplicateSeeder | undefined;
  readonly beforeReplicate: readonly ((ctx: FrozenContext) => void | Promise<void>)[];
  readonly logger: Logger;
  readonly hasRunDir: boolean;
}

/**
 * What an experiment is, as every other part of the orchestrator sees it. `Experiment`
 * implements it; plugins, execution backends, artifacts, results and the graph depend on this.
 */
export interface ExperimentModel {
  readonly name: string;
  /** What this experiment is for, in a sentence (stored in `metadata.json`). */
  readonly description: string | undefined;
  /** True when the user gave a `name` (an ExperimentGraph needs one; the default is derived). */
  readonly named: boolean;
  /** Stable across processes: derived from the name and the pipeline signature only. */
  readonly id: string;
  readonly datasource: DataSource;
  readonly pipeline: Pipeline;
  readonly plugins: readonly ExperimentPlugin[];
  readonly treatments: readonly Treatment[];
  readonly hypotheses: readonly Hypothesis<unknown>[];
  readonly replicates: number;
  readonly initialCtx: Readonly<Record<string, unknown>>;
  /** Artifacts this experiment produces for downstream experiments. */
  readonly outputs: readonly DataSource[];
  readonly cache: StepOutputCache | undefined;
  readonly onUnencodable: UnencodablePolicy;
  /** The module that constructed this experiment (workers rebuild it from there). */
  readonly definedIn: string | undefined;
  /** The execution backend in force. */
  readonly execution: ExecutionBackend;
  /** The plugin `cls` stands for (see `findPlugin`: by class, or by the kind it declares). */
  plugin<P>(cls: abstract new (...args: never[]) => P): P | undefined;
  /** Resolves run options into a plan (validating first). */
  plan(options?: RunOptions, extra?: PlanExtras): RunPlan;
  run(options?: RunOptions): Promise<Result>;
  /** Fingerprint of each condition of a plan (resume compares them). */
  fingerprints(plan: RunPlan): Record<string, ConditionFingerprint>;
}

/** The experiment's run store (its ArtifactPlugin, of any copy of the framework), if any. */
export function runStoreOf(experiment: Pick<ExperimentModel, 'plugins'>): RunStore | undefined {
  return findPluginOfKind<RunStore>(experiment.plugins, 'artifact');
}

/** The experiment's replicate seeder (its SeedPlugin, of any copy of the framework), if any. */
export function seederOf(
  experiment: Pick<ExperimentModel, 'plugins'>,
): ReplicateSeeder | undefined {
  return findPluginOfKind<ReplicateSeeder>(experiment.plugins, 'seed');
}

/** An experiment of any copy of the framework, by shape. */
export function isExperimentModel(value: unknown): value is ExperimentModel {
  const v = value as Partial<Record<keyof ExperimentModel, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.name === 'string' &&
    Array.isArray(v.plugins) &&
    typeof v.run === 'function' &&
    typeof v.plan === 'function'
  );
}
