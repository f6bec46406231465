import {
  BASELINE_CONDITION,
  ValidationError,
  hashValue,
  type Hypothesis,
  type Treatment,
  rootLogger,
  toDataSource,
  type DataSource,
} from '@crystallize/core';
import { Artifact } from '../artifacts/artifact.js';
import { ArtifactDataSource } from '../artifacts/artifact-datasource.js';
import { isExecutionPlugin, type ExecutionPlugin } from '../execution/execution.plugin.js';
import type { ReplicateOutcome } from '../execution/replicate-outcome.js';
import { SerialExecution } from '../execution/serial.execution.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { RunnerOptions } from '../pipeline/pipeline-runner.js';
import type { StepOutputCache } from '../pipeline/step-cache.js';
import type { StepRecord } from '../pipeline/step-record.js';
import { callerModule, toModuleUrl } from '../execution/defining-module.js';
import type { RunSpec } from '../execution/run-spec.js';
import { workerEnv } from '../execution/worker-env.js';
import { ArtifactPlugin } from '../plugins/artifact.plugin.js';
import { LoggingPlugin } from '../plugins/logging.plugin.js';
import { BasePlugin, type RunContext } from '../plugins/plugin.js';
import { SeedPlugin } from '../plugins/seed.plugin.js';
import { ResultAccumulator } from '../results/build-result.js';
import type { Result } from '../results/result.js';
import {
  conditionFingerprint,
  describeMismatch,
  type ConditionFingerprint,
} from '../resume/fingerprint.js';
import { readCompletedCondition, type StoredCondition } from '../resume/stored-condition.js';
import { defaultStepCache } from '../pipeline/default-cache.js';
import { runReplicateConditions, type ReplicateEnv } from './condition-runner.js';
import type { ExperimentOptions, RunOptions, Strategy } from './experiment-options.js';
import { ExperimentBuilder } from './experiment-builder.js';
import { optimize, type BaseOptimizer } from './optimizer.js';
import { applyOnce, type ApplyOptions } from './apply-once.js';
import { experimentProblems } from './validate-experiment.js';
import { withStepLifecycle } from './step-lifecycle.js';
import { logRunHealth } from '../results/run-health.js';

/** A resolved `run()` call: what to run and how. */
export interface RunPlan {
  readonly replicates: number;
  readonly treatments: readonly Treatment[];
  readonly baselineTreatment: Treatment | undefined;
  readonly hypotheses: readonly Hypothesis<unknown>[];
  readonly strategy: Strategy;
  readonly signal: AbortSignal | undefined;
  readonly verbose: boolean;
  readonly store: boolean;
  readonly execution: ExecutionPlugin | undefined;
}

/**
 * A pipeline run per replicate for a baseline and each treatment, with metrics aggregated per
 * condition and hypotheses verified. See SPEC §4.
 *
 * @example
 * const exp = new Experiment({ datasource: () => [1, 2, 3], pipeline: new Pipeline([ComputeSum]) });
 * const result = await exp.run({ replicates: 3 });
 * result.metrics.baseline.metrics; // { sum: [6, 6, 6] }
 */
export class Experiment<In = unknown> {
  readonly name: string;
  /** What this experiment is for, in a sentence (stored in `metadata.json`). */
  readonly description: string | undefined;
  readonly datasource: DataSource<In>;
  readonly pipeline: Pipeline;
  readonly plugins: readonly BasePlugin[];
  readonly treatments: readonly Treatment[];
  readonly hypotheses: readonly Hypothesis<unknown>[];
  readonly replicates: number;
  readonly initialCtx: Readonly<Record<string, unknown>>;
  readonly outputs: readonly Artifact[];
  readonly cache: StepOutputCache | undefined;
  readonly onUnencodable: 'error' | 'skip';
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
    this.onUnencodable = options.onUnencodable ?? 'error';
    this.name =
      options.name ?? `experiment-${pipeline ? pipeline.signature().slice(0, 12) : 'invalid'}`;
    this.named = options.name !== undefined;
    this.description = options.description;
    if (this.description !== undefined && typeof this.description !== 'string')
      problems.push(`description must be a string, got ${typeof this.description}`);
    for (const out of this.outputs) if (out instanceof Artifact) out.attachProducer(this);
    const plugins = [...(options.plugins ?? [])];
    if (!plugins.some((p) => p instanceof ArtifactPlugin)) plugins.push(new ArtifactPlugin());
    if (!plugins.some((p) => p instanceof SeedPlugin)) plugins.push(new SeedPlugin());
    if (!plugins.some((p) => p instanceof LoggingPlugin)) plugins.push(new LoggingPlugin());
    this.plugins = Object.freeze(plugins);
    for (const p of plugins) if (p instanceof BasePlugin) p.initHook?.(this);
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
    return new ArtifactDataSource<T>(this as Experiment, step, name, loader);
  }

  static builder(name?: string): ExperimentBuilder {
    return new ExperimentBuilder(name);
  }

  /** Stable across processes: derived from the name and the pipeline signature only. */
  get id(): string {
    return hashValue({
      name: this.name,
      pipeline: this.#problems.length ? null : this.pipeline.signature(),
    }).slice(0, 16);
  }

  /** The execution plugin in force: the last one given, else serial. */
  get execution(): ExecutionPlugin {
    const execs = this.plugins.filter(isExecutionPlugin);
    return execs[execs.length - 1] ?? new SerialExecution();
  }

  plugin<P extends BasePlugin>(cls: abstract new (...args: never[]) => P): P | undefined {
    return this.plugins.find((p): p is P => p instanceof cls);
  }

  /** Throws {@link ValidationError} listing every problem with this experiment (and run options). */
  validate(options: RunOptions = {}): void {
    const problems = [...this.#problems, ...experimentProblems(this as Experiment, options)];
    if (problems.length) throw new ValidationError(problems, `Experiment '${this.name}'`);
  }

  /** @internal Resolves run options into a plan (validating first). */
  plan(
    options: RunOptions = {},
    extra: { verbose?: boolean; store?: boolean; execution?: ExecutionPlugin } = {},
  ): RunPlan {
    this.validate(options);
    const all = options.treatments ?? this.treatments;
    return {
      replicates: options.replicates ?? this.datasource.replicates ?? this.replicates,
      treatments: all.filter((t) => t.name !== BASELINE_CONDITION),
      baselineTreatment: all.find((t) => t.name === BASELINE_CONDITION),
      hypotheses: (options.hypotheses ?? this.hypotheses) as Hypothesis<unknown>[],
      strategy: options.strategy ?? 'rerun',
      signal: options.signal,
      verbose: extra.verbose ?? this.plugin(LoggingPlugin)?.verbose ?? false,
      store: extra.store ?? true,
      execution: extra.execution,
    };
  }

  /** Runs every replicate of the baseline and each treatment, then verifies hypotheses. */
  async run(options: RunOptions = {}): Promise<Result> {
    return this.runPlan(this.plan(options));
  }

  /** @internal */
  async runPlan(plan: RunPlan): Promise<Result> {
    const conditions = [BASELINE_CONDITION, ...plan.treatments.map((t) => t.name)];
    const fingerprints = this.fingerprints(plan);
    const plugins = this.plugins.filter((p) => plan.store || !(p instanceof ArtifactPlugin));
    const run: RunContext = {
      experiment: this as Experiment,
      replicates: plan.replicates,
      conditions,
      strategy: plan.strategy,
      signal: plan.signal,
      dir: undefined,
      logger: rootLogger(),
      reused: new Set(),
    };
    const reused =
      plan.strategy === 'resume'
        ? this.#loadReusable(conditions, fingerprints)
        : new Map<string, StoredCondition>();
    for (const c of reused.keys()) run.reused.add(c);
    // Only plugins whose beforeRun finished are told the run failed (they have something open).
    const started: BasePlugin[] = [];
    try {
      for (const p of plugins) {
        await p.beforeRun?.(this as Experiment, run);
        started.push(p);
      }
      for (const [c, why] of this.#rerunReasons)
        run.logger.info(`resume: rerunning '${c}': ${why}`);
      this.#rerunReasons.clear();
      const env = this.replicateEnv(
        plan,
        run,
        plugins,
        new Set(conditions.filter((c) => !reused.has(c))),
      );
      const acc = new ResultAccumulator({
        experiment: this.name,
        pipelineSignature: this.pipeline.signature(),
        replicates: plan.replicates,
        conditions,
        reused,
        fingerprints,
        dir: run.dir,
        paramNames: this.pipeline.steps.flatMap((s) => s.paramNames),
      });
      await withStepLifecycle(this.pipeline.steps, this.initialCtx, run.logger, async () => {
        const recordObservers = plugins
          .filter((p) => p.afterStepRecord)
          .map(
            (p) => (record: StepRecord, where: { condition: string; replicate: number }) =>
              p.afterStepRecord?.(this as Experiment, record, where),
          );
        // Replicates reseed Math.random; put the process's own back even when the run throws.
        const savedRandom = Math.random;
        try {
          if (env.conditions.size > 0) {
            const exec = plan.execution ?? this.execution;
            if (exec.concurrentInThread && env.seedPlugin?.autoSeed) {
              run.logger.warn(
                'AsyncExecution interleaves replicates: Math.random is not deterministic there; use ctx.rng for exact randomness.',
              );
            }
            await exec.runExperimentLoop(this as Experiment, (rep) => this.runReplicate(rep, env), {
              replicates: Array.from({ length: plan.replicates }, (_, i) => i),
              signal: plan.signal,
              plan,
              conditions: [...env.conditions],
              runDir: run.dir,
              seedFor: (rep) => env.seedPlugin?.seedFor(rep) ?? rep,
              onReplicateDone: (outcome) => {
                acc.add(outcome);
                for (const hook of recordObservers) {
                  for (const c of outcome.conditions) {
                    for (const record of c.records)
                      hook(record, { condition: c.condition, replicate: c.replicate });
                  }
                }
              },
            });
          }
        } finally {
          Math.random = savedRandom;
        }
      });
      const result = acc.finish(plan.hypotheses);
      logRunHealth(run.logger, result.failures, result.unusedTreatmentKeys);
      for (const p of plugins) await p.afterRun?.(this as Experiment, result, run);
      return result;
    } catch (error) {
      // Let plugins close what beforeRun opened (the run log, say) before the error propagates.
      for (const p of started) await p.runFailed?.(this as Experiment, error, run);
      throw error;
    }
  }

  /** @internal The per-run environment replicates execute in (also rebuilt inside workers). */
  replicateEnv(
    plan: RunPlan,
    run: Pick<RunContext, 'logger' | 'dir'>,
    plugins: readonly BasePlugin[],
    conditions: ReadonlySet<string>,
  ): ReplicateEnv {
    const exp = this as Experiment;
    const runner: RunnerOptions = {
      steps: this.pipeline.steps,
      graph: this.pipeline.graph,
      cache: this.cache,
      verbose: plan.verbose,
      onUnencodable: this.onUnencodable,
      beforeStep: plugins
        .filter((p) => p.beforeStep)
        .map((p) => (step, ctx) => p.beforeStep?.(exp, step, ctx)),
      afterStep: plugins
        .filter((p) => p.afterStep)
        .map((p) => (step, data, ctx, rec) => p.afterStep?.(exp, step, data, ctx, rec)),
    };
    return {
      datasource: this.datasource as DataSource,
      runner,
      initialCtx: this.initialCtx,
      treatments: plan.treatments,
      baselineTreatment: plan.baselineTreatment,
      conditions,
      seedPlugin: this.plugin(SeedPlugin),
      beforeReplicate: plugins
        .filter((p) => p.beforeReplicate)
        .map((p) => (ctx) => p.beforeReplicate?.(exp, ctx)),
      logger: run.logger,
      hasRunDir: run.dir !== undefined,
    };
  }

  /** @internal Inside a worker thread: the environment of a run planned by the parent. */
  workerEnv(spec: RunSpec): ReplicateEnv {
    return workerEnv(this as Experiment, spec);
  }

  /** Runs the baseline and treatments of one replicate (execution plugins call this). */
  runReplicate(replicate: number, env: ReplicateEnv): Promise<ReplicateOutcome> {
    return runReplicateConditions(env, replicate);
  }

  /** @internal Fingerprint of each condition of a plan (resume compares them). */
  fingerprints(plan: RunPlan): Record<string, ConditionFingerprint> {
    const seed = this.plugin(SeedPlugin)?.seed ?? 0;
    const common = {
      pipeline: this.pipeline,
      datasource: this.datasource as DataSource,
      initialCtx: this.initialCtx,
      replicates: plan.replicates,
      seed,
      baselineTreatment: plan.baselineTreatment,
    };
    const out: Record<string, ConditionFingerprint> = {
      [BASELINE_CONDITION]: conditionFingerprint({ ...common, treatment: undefined }),
    };
    for (const t of plan.treatments)
      out[t.name] = conditionFingerprint({ ...common, treatment: t, baselineTreatment: undefined });
    return out;
  }

  readonly #rerunReasons = new Map<string, string>();

  #loadReusable(
    conditions: readonly string[],
    fingerprints: Record<string, ConditionFingerprint>,
  ): Map<string, StoredCondition> {
    const reused = new Map<string, StoredCondition>();
    const dir = this.plugin(ArtifactPlugin)?.latestDir(this as Experiment);
    if (!dir) return reused;
    for (const c of conditions) {
      const stored = readCompletedCondition(dir, c);
      const current = fingerprints[c] as ConditionFingerprint;
      if (!stored) this.#rerunReasons.set(c, 'no completed results stored');
      else if (stored.fingerprint === current.hash) reused.set(c, stored);
      else this.#rerunReasons.set(c, describeMismatch(stored.fingerprintParts, current.parts));
    }
    return reused;
  }

  /** Runs the pipeline once and returns its output (no storage). */
  apply(options: ApplyOptions = {}): Promise<unknown> {
    return applyOnce(this as Experiment, options);
  }

  /**
   * Runs one replicate serially with verbose provenance and debug logs; stores nothing.
   * `treatment` is a Treatment or the name of one of this experiment's treatments
   * (`'baseline'`: the baseline alone).
   * @example await exp.debug('double')
   */
  async debug(treatment?: Treatment | string): Promise<Result> {
    const t = typeof treatment === 'string' ? this.#treatmentNamed(treatment) : treatment;
    const plan = this.plan(
      { replicates: 1, treatments: t ? [t] : [], hypotheses: [] },
      { verbose: true, store: false, execution: new SerialExecution() },
    );
    return this.runPlan(plan);
  }

  #treatmentNamed(name: string): Treatment | undefined {
    const found = this.treatments.find((t) => t.name === name);
    if (found) return found;
    if (name === BASELINE_CONDITION) return undefined; // the baseline alone
    const names = this.treatments.map((t) => `'${t.name}'`);
    throw new ValidationError(
      `Experiment '${this.name}' has no treatment '${name}' (debug). Its treatments: ${
        names.length ? names.join(', ') : '(none)'
      }. Pass one of them, or a Treatment object.`,
    );
  }

  /** Drives an ask/tell optimizer over treatments; returns the best treatment found. */
  optimize(optimizer: BaseOptimizer, trials: number, replicatesPerTrial = 1): Promise<Treatment> {
    return optimize(this as Experiment, optimizer, trials, replicatesPerTrial);
  }
}
