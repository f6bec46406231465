import {
  BASELINE_CONDITION,
  ValidationError,
  hashValue,
  type Hypothesis,
  type Treatment,
  toDataSource,
  type DataSource,
} from '@crystallize/core';
import { normalizeOnUnencodable } from '@crystallize/cache/internal';
import { ArtifactDataSource } from '../artifacts/artifact-datasource.js';
import type { Artifact } from '../artifacts/artifact.js';
import { SerialExecution } from '../execution/serial.execution.js';
import { callerModule, toModuleUrl } from '../execution/defining-module.js';
import type { RunSpec } from '../execution/run-spec.js';
import { workerEnv, type WorkerEnv } from '../execution/worker-env.js';
import {
  isExecutionBackend,
  type ConditionFingerprint,
  type ExecutionBackend,
  type ExperimentModel,
  type ExperimentPlugin,
  type PlanExtras,
  type ReplicateEnv,
  type RunPlan,
  type UnencodablePolicy,
} from '../model/experiment-model.js';
import type { ReplicateOutcome } from '../model/outcome.js';
import { findPlugin, findPluginOfKind, pluginKind } from '../model/plugin-kinds.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { StepOutputCache } from '../pipeline/step-cache.js';
import { defaultStepCache } from '../pipeline/default-cache.js';
import { ArtifactPlugin } from '../plugins/artifact.plugin.js';
import { LoggingPlugin } from '../plugins/logging.plugin.js';
import { SeedPlugin } from '../plugins/seed.plugin.js';
import type { Result } from '../results/result.js';
import { planFingerprints } from '../resume/fingerprint.js';
import { applyOnce, type ApplyOptions } from '../run/apply.js';
import { runReplicateConditions } from '../run/condition-runner.js';
import { debugRun } from '../run/debug.js';
import { optimize, type BaseOptimizer } from '../run/optimize.js';
import { runExperiment } from '../run/run-experiment.js';
import type { ExperimentOptions, RunOptions } from './experiment-options.js';
import { ExperimentBuilder } from './experiment-builder.js';
import { experimentProblems } from './validate-experiment.js';

export type { RunPlan };

/**
 * A pipeline run per replicate for a baseline and each treatment, with metrics aggregated per
 * condition and hypotheses verified. See SPEC §4.
 *
 * @example
 * const exp = new Experiment({ datasource: () => [1, 2, 3], pipeline: new Pipeline([ComputeSum]) });
 * const result = await exp.run({ replicates: 3 });
 * result.metrics.baseline.metrics; // { sum: [6, 6, 6] }
 */
export class Experiment<In = unknown> implements ExperimentModel {
  readonly name: string;
  /** What this experiment is for, in a sentence (stored in `metadata.json`). */
  readonly description: string | undefined;
  readonly datasource: DataSource<In>;
  readonly pipeline: Pipeline;
  readonly plugins: readonly ExperimentPlugin[];
  readonly treatments: readonly Treatment[];
  readonly hypotheses: readonly Hypothesis<unknown>[];
  readonly replicates: number;
  readonly initialCtx: Readonly<Record<string, unknown>>;
  readonly outputs: readonly Artifact[];
  readonly cache: StepOutputCache | undefined;
  readonly onUnencodable: UnencodablePolicy;
  /** True when the user gave a `name` (an ExperimentGraph needs one; the default is derived). */
  readonly named: boolean;
  /** The module that constructed this experiment (workers rebuild it from there). */
  readonly definedIn: string | undefined;
  readonly #problems: string[] = [];

  constructor(options: ExperimentOptions<In>) {
    const problems = this.#problems;
    this.definedIn = options.module !== undefined ? toModuleUrl(options.module) : callerModule();
    let pipeline: Pipeline | undefined;
    try {
      pipeline =
        options.pipeline instanceof Pipeline
          ? options.pipeline
          : new Pipeline(options.pipeline ?? []);
    } catch (e) {
      problems.push(e instanceof ValidationError ? e.problems.join('; ') : (e as Error).message);
    }
    this.pipeline = pipeline ?? (Object.create(Pipeline.prototype) as Pipeline);
    let ds: DataSource<In> | undefined;
    try {
      ds = toDataSource(options.datasource);
    } catch {
      problems.push(
        `datasource: expected a DataSource or a (ctx) => data function, got ${String(options.datasource)}`,
      );
    }
    this.datasource = ds ?? toDataSource<In>(() => undefined as In);
    this.treatments = [...(options.treatments ?? [])];
    this.hypotheses = [...(options.hypotheses ?? [])] as Hypothesis<unknown>[];
    this.replicates = options.replicates ?? 1;
    this.initialCtx = Object.freeze({ ...(options.initialCtx ?? {}) });
    this.outputs = [...(options.outputs ?? [])];
    this.cache = options.cache === false ? undefined : (options.cache ?? defaultStepCache());
    this.onUnencodable = normalizeOnUnencodable(options.onUnencodable);
    this.name =
      options.name ?? `experiment-${pipeline ? pipeline.signature().slice(0, 12) : 'invalid'}`;
    this.named = options.name !== undefined;
    this.description = options.description;
    if (this.description !== undefined && typeof this.description !== 'string')
      problems.push(`description must be a string, got ${typeof this.description}`);
    for (const out of this.outputs) attachProducer(out, this);
    // Default plugins by kind, not class: a plugin from another copy of the framework counts.
    const plugins = [...(options.plugins ?? [])];
    const has = (kind: string): boolean => plugins.some((p) => pluginKind(p) === kind);
    if (!has('artifact')) plugins.push(new ArtifactPlugin());
    if (!has('seed')) plugins.push(new SeedPlugin());
    if (!has('logging')) plugins.push(new LoggingPlugin());
    this.plugins = Object.freeze(plugins);
    for (const p of plugins)
      if (typeof p === 'object' && p !== null && typeof p.initHook === 'function') p.initHook(this);
  }

  /**
   * A data source reading the artifact `name` that step (or pipeline node) `step` of this
   * experiment stored, for a downstream experiment.
   */
  artifactDatasource<T = unknown>(
    step: string,
    name: string,
    loader?: (bytes: Buffer) => T,
  ): ArtifactDataSource<T> {
    if (
      !this.pipeline.graph?.nodes.some((n) => n.name === step) &&
      !this.pipeline.steps?.some((s) => s.name === step)
    )
      throw new ValidationError(
        `Experiment '${this.name}' has no step '${step}' (artifactDatasource)`,
      );
    return new ArtifactDataSource<T>(this, step, name, loader);
  }

  static builder(name?: string): ExperimentBuilder<Experiment> {
    return new ExperimentBuilder(name, (options) => new Experiment(options));
  }

  /** Stable across processes: derived from the name and the pipeline signature only. */
  get id(): string {
    return hashValue({
      name: this.name,
      pipeline: this.#problems.length ? null : this.pipeline.signature(),
    }).slice(0, 16);
  }

  /** The execution backend in force: the last one given (any plugin with `runExperimentLoop`), else serial. */
  get execution(): ExecutionBackend {
    const execs = this.plugins.filter(isExecutionBackend);
    return execs[execs.length - 1] ?? new SerialExecution();
  }

  /**
   * The plugin `cls` stands for: an instance of it, or for the built-in ArtifactPlugin,
   * SeedPlugin and LoggingPlugin any plugin of the same kind (from any copy of the framework).
   */
  plugin<P>(cls: abstract new (...args: never[]) => P): P | undefined {
    return findPlugin(this.plugins, cls);
  }

  /** Throws {@link ValidationError} listing every problem with this experiment (and run options). */
  validate(options: RunOptions = {}): void {
    const problems = [...this.#problems, ...experimentProblems(this, options)];
    if (problems.length) throw new ValidationError(problems, `Experiment '${this.name}'`);
  }

  /** Resolves run options into a plan (validating first); execution backends and the graph use it. */
  plan(options: RunOptions = {}, extra: PlanExtras = {}): RunPlan {
    this.validate(options);
    const all = options.treatments ?? this.treatments;
    return {
      replicates: options.replicates ?? this.datasource.replicates ?? this.replicates,
      treatments: all.filter((t) => t.name !== BASELINE_CONDITION),
      baselineTreatment: all.find((t) => t.name === BASELINE_CONDITION),
      hypotheses: (options.hypotheses ?? this.hypotheses) as Hypothesis<unknown>[],
      strategy: options.strategy ?? 'rerun',
      signal: options.signal,
      drain: options.drain,
      verbose:
        extra.verbose ??
        findPluginOfKind<{ verbose?: boolean }>(this.plugins, 'logging')?.verbose ??
        false,
      store: extra.store ?? true,
      execution: extra.execution,
    };
  }

  /** Runs every replicate of the baseline and each treatment, then verifies hypotheses. */
  async run(options: RunOptions = {}): Promise<Result> {
    return runExperiment(this, this.plan(options));
  }

  /** @internal Inside a worker thread: the environment of a run planned by the parent. */
  workerEnv(spec: RunSpec): WorkerEnv {
    return workerEnv(this, spec);
  }

  /** Runs the baseline and treatments of one replicate (execution backends in workers call this). */
  runReplicate(replicate: number, env: ReplicateEnv): Promise<ReplicateOutcome> {
    return runReplicateConditions(env, replicate);
  }

  /** Fingerprint of each condition of a plan (resume compares them). */
  fingerprints(plan: RunPlan): Record<string, ConditionFingerprint> {
    return planFingerprints(this, plan);
  }

  /** Runs the pipeline once and returns its output (no storage). */
  apply(options: ApplyOptions = {}): Promise<unknown> {
    return applyOnce(this, options);
  }

  /**
   * Runs one replicate serially with verbose provenance and debug logs; stores nothing.
   * `treatment` is a Treatment or the name of one of this experiment's treatments
   * (`'baseline'`: the baseline alone).
   * @example await exp.debug('double')
   */
  debug(treatment?: Treatment | string): Promise<Result> {
    return debugRun(this, treatment);
  }

  /** Drives an ask/tell optimizer over treatments; returns the best treatment found. */
  optimize(optimizer: BaseOptimizer, trials: number, replicatesPerTrial = 1): Promise<Treatment> {
    return optimize(this, optimizer, trials, replicatesPerTrial);
  }
}

/** An Experiment listing an artifact in `outputs` registers itself as its producer. */
function attachProducer(output: Artifact, experiment: ExperimentModel): void {
  const attach = (output as { attachProducer?: unknown }).attachProducer;
  if (typeof attach === 'function') (attach as Artifact['attachProducer']).call(output, experiment);
}
