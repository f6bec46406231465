import { BASELINE_CONDITION, StorageError, rootLogger } from '@crystallize/core';
import {
  runStoreOf,
  type ExperimentModel,
  type ExperimentPlugin,
  type RunContext,
  type RunPlan,
} from '../model/experiment-model.js';
import type { ConditionOutcome, ReplicateOutcome } from '../model/outcome.js';
import { pluginKind } from '../model/plugin-kinds.js';
import { loggedError, originalError } from '../model/serialized-error.js';
import type { StepRecord } from '../model/step-record.js';
import { ResultAccumulator } from '../results/build-result.js';
import type { Result } from '../results/result.js';
import { logRunHealth } from '../results/run-health.js';
import { planFingerprints } from '../resume/fingerprint.js';
import {
  nothingReusable,
  reusableConditions,
  type Reusable,
} from '../resume/reusable-conditions.js';
import { linkArtifactFiles } from '../storage/run-writer.js';
import { isFileSystemError, toStorageError } from '../storage/storage-failure.js';
import { runReplicateConditions } from './condition-runner.js';
import { buildReplicateEnv } from './replicate-env.js';
import { withMathRandomRestored } from './seeded-random.js';
import { withStepLifecycle } from './step-lifecycle.js';

/**
 * One run of a planned experiment: plugins' `beforeRun`, resume's reuse, the steps' setup and
 * teardown around the replicate loop (handed to the execution backend), the result folded from
 * replicate outcomes, plugins' `afterRun` — or `runFailed` for those that started, when it throws.
 * All per-run state lives in this call, none on the experiment.
 */
export async function runExperiment(experiment: ExperimentModel, plan: RunPlan): Promise<Result> {
  const conditions = [BASELINE_CONDITION, ...plan.treatments.map((t) => t.name)];
  const fingerprints = planFingerprints(experiment, plan);
  const plugins = experiment.plugins.filter((p) => plan.store || pluginKind(p) !== 'artifact');
  // Aborted when the run stops (plan.signal or plan.drain) before every replicate ran: what is
  // stored then is not marked complete (and an unversioned run stays staged for resume).
  const stopped = new AbortController();
  const run: RunContext = {
    experiment,
    replicates: plan.replicates,
    conditions,
    strategy: plan.strategy,
    signal: stopped.signal,
    dir: undefined,
    logger: rootLogger(),
    reused: new Set(),
  };
  let reuse: Reusable = nothingReusable();
  const store = plan.store ? runStoreOf(experiment) : undefined;
  const decideReuse = (): Reusable => {
    const decided =
      plan.strategy === 'resume'
        ? reusableConditions(experiment, conditions, fingerprints)
        : nothingReusable();
    for (const c of decided.complete) run.reused.add(c);
    return decided;
  };
  // Only plugins whose beforeRun finished are told the run failed (they have something open).
  const started: ExperimentPlugin[] = [];
  try {
    // Storage first: it decides the run folder (run.dir) that others, such as the LoggingPlugin's
    // run.log, open files in — whatever order the user listed the plugins in.
    const storage = plugins.filter((p) => pluginKind(p) === 'artifact');
    const others = plugins.filter((p) => pluginKind(p) !== 'artifact');
    for (const p of storage) {
      try {
        await p.beforeRun?.(experiment, run);
      } catch (e) {
        // A results folder that cannot be made or locked: a StorageError saying where and why.
        throw isFileSystemError(e)
          ? toStorageError(e, e.path ?? run.dir ?? '(results folder)', 'mkdir')
          : e;
      }
      started.push(p);
    }
    // Resume decides what it reuses once the storage holds its folder (and repaired it), before
    // the other plugins start (the LoggingPlugin names the reused conditions).
    reuse = decideReuse();
    for (const p of others) {
      await p.beforeRun?.(experiment, run);
      started.push(p);
    }
    const { reused } = reuse;
    for (const c of reuse.complete)
      run.logger.info(`reusing '${c}': all ${plan.replicates} replicates are stored`);
    for (const [c, why] of reuse.rerunReasons) run.logger.info(`resume: rerunning '${c}': ${why}`);
    if (run.dir) bringReusedArtifacts(reuse, run.dir);
    const toRun = new Set(conditions.filter((c) => !run.reused.has(c)));
    const { replicates, replicateConditions } = replicatesToRun(plan.replicates, toRun, reuse);
    const env = buildReplicateEnv(
      experiment,
      plan,
      run,
      plugins,
      toRun,
      new Map([...replicateConditions].map(([r, cs]) => [r, new Set(cs)])),
    );
    const acc = new ResultAccumulator({
      experiment: experiment.name,
      pipelineSignature: experiment.pipeline.signature(),
      replicates: plan.replicates,
      conditions,
      reused,
      fingerprints,
      dir: run.resultDir ?? run.dir,
      paramNames: experiment.pipeline.steps.flatMap((s) => s.paramNames),
    });
    // Every replicate resume takes from a journal is folded in like a fresh one, and journalled
    // again here unless it is already in this run's own journal.
    const reusedParts = (rep: number): ConditionOutcome[] =>
      [...(reuse.replicates.get(rep)?.values() ?? [])]
        .filter((r) => !reused.has(r.outcome.condition))
        .map((r) => r.outcome);
    const fromElsewhere = (rep: number): ConditionOutcome[] =>
      [...(reuse.replicates.get(rep)?.values() ?? [])]
        .filter((r) => r.fromDir !== run.dir && !reused.has(r.outcome.condition))
        .map((r) => r.outcome);
    const notify = (outcome: ReplicateOutcome): void => {
      for (const hook of recordObservers) {
        for (const c of outcome.conditions) {
          for (const record of c.records)
            hook(record, { condition: c.condition, replicate: c.replicate });
        }
      }
    };
    const recordObservers = plugins
      .filter((p) => p.afterStepRecord)
      .map(
        (p) => (record: StepRecord, where: { condition: string; replicate: number }) =>
          p.afterStepRecord?.(experiment, record, where),
      );
    const running = new Set(replicates);
    for (const rep of reuse.replicates.keys()) {
      if (running.has(rep)) continue;
      const parts = reusedParts(rep);
      if (parts.length === 0) continue;
      acc.add({ replicate: rep, conditions: parts });
      const elsewhere = fromElsewhere(rep);
      if (elsewhere.length > 0)
        store?.recordReplicate?.(run, { replicate: rep, conditions: elsewhere }, fingerprints);
    }
    let done = 0;
    let planned = 0;
    let cacheWarned = false;
    await withStepLifecycle(experiment.pipeline.steps, experiment.initialCtx, run.logger, () =>
      // Replicates reseed Math.random; put the process's own back even when the run throws.
      withMathRandomRestored(async () => {
        if (env.conditions.size === 0 || replicates.length === 0) return;
        planned = replicates.length;
        const exec = plan.execution ?? experiment.execution;
        if (exec.concurrentInThread && env.seedPlugin?.autoSeed) {
          run.logger.warn(
            'AsyncExecution interleaves replicates: Math.random is not deterministic there; use ctx.rng for exact randomness.',
          );
        }
        // Replicates a backend runs elsewhere (worker threads, other machines) logged their
        // failures there; the run's own log (run.log) gets the same line here.
        const ranHere = new Set<number>();
        const runHere = (rep: number): ReturnType<typeof runReplicateConditions> => {
          ranHere.add(rep);
          return runReplicateConditions(env, rep);
        };
        await exec.runExperimentLoop(experiment, runHere, {
          replicates,
          signal: plan.signal,
          drain: plan.drain,
          plan,
          conditions: [...env.conditions],
          ...(replicateConditions.size > 0 ? { replicateConditions } : {}),
          runDir: run.dir,
          seedFor: (rep) => env.seedPlugin?.seedFor(rep) ?? rep,
          onReplicateDone: (received) => {
            if (!ranHere.has(received.replicate)) logFailuresFromElsewhere(run.logger, received);
            done += 1;
            const cacheFailure = received.conditions.find((c) => c.cacheWriteFailure);
            if (cacheFailure && !cacheWarned) {
              cacheWarned = true;
              run.logger.warn(
                `${cacheFailure.cacheWriteFailure} This run goes on uncached (entries already in the cache are still used); to fail instead, give the store onWriteError: 'fail'.`,
              );
            }
            // Only what this replicate was asked to run counts; resume's parts fill the rest.
            const asked = replicateConditions.get(received.replicate);
            const fresh = asked
              ? received.conditions.filter((c) => asked.includes(c.condition))
              : received.conditions;
            const elsewhere = asked ? fromElsewhere(received.replicate) : [];
            store?.recordReplicate?.(
              run,
              { replicate: received.replicate, conditions: [...fresh, ...elsewhere] },
              fingerprints,
            );
            const outcome = asked
              ? {
                  replicate: received.replicate,
                  conditions: [...fresh, ...reusedParts(received.replicate)],
                }
              : received;
            acc.add(outcome);
            notify(outcome);
          },
        });
      }),
    );
    const result = acc.finish(plan.hypotheses);
    logRunHealth(run.logger, result.failures, result.unusedTreatmentKeys);
    if ((plan.signal?.aborted || plan.drain?.aborted) && done < planned) {
      result.markAborted();
      stopped.abort(plan.signal?.reason ?? plan.drain?.reason);
      logInterrupted(run, done, planned, plan.store);
    }
    for (const p of plugins) {
      try {
        await p.afterRun?.(experiment, result, run);
      } catch (e) {
        // The results folder failed at the end: the metrics are all here; say what was not stored.
        const failure = toStorageError(e, run.dir ?? '(results folder)');
        if (!(failure instanceof StorageError)) throw e;
        result.addStorageErrors([failure]);
        const line = `results not stored: ${failure.message} The returned Result holds every metric (result.storageErrors says what failed).`;
        try {
          run.logger.error({ err: loggedError(failure) }, line);
        } catch {
          rootLogger().error({ err: loggedError(failure) }, line); // the run log closed already
        }
      }
    }
    return result;
  } catch (error) {
    // Let plugins close what beforeRun opened (the run log, say) before the error propagates.
    for (const p of started) await p.runFailed?.(experiment, error, run);
    throw error;
  }
}

/**
 * Which replicates the backend runs, and those that run only some conditions (resume reused the
 * others from a journal). A replicate whose every condition is reused does not run.
 */
function replicatesToRun(
  count: number,
  toRun: ReadonlySet<string>,
  reuse: Reusable,
): { replicates: number[]; replicateConditions: Map<number, string[]> } {
  const replicates: number[] = [];
  const replicateConditions = new Map<number, string[]>();
  for (let rep = 0; rep < count; rep++) {
    const have = reuse.replicates.get(rep);
    const left = have ? [...toRun].filter((c) => !have.has(c)) : [...toRun];
    if (left.length === 0) continue;
    replicates.push(rep);
    if (left.length < toRun.size) replicateConditions.set(rep, left);
  }
  return { replicates, replicateConditions };
}

/** Artifact files of reused results stored in another run folder, brought into this run's. */
function bringReusedArtifacts(reuse: Reusable, runDir: string): void {
  for (const [c, stored] of reuse.reused) {
    const from = reuse.reusedFrom.get(c);
    if (from)
      linkArtifactFiles(
        from,
        runDir,
        stored.artifacts.map((a) => a.path),
      );
  }
  for (const byCondition of reuse.replicates.values()) {
    for (const r of byCondition.values())
      linkArtifactFiles(
        r.fromDir,
        runDir,
        r.outcome.artifacts.map((a) => a.path),
      );
  }
}

/** The warning of a run stopped early: how much is done and how to compute the rest. */
function logInterrupted(run: RunContext, done: number, planned: number, store: boolean): void {
  const where = run.dir && store ? `, stored in ${run.dir}` : ' (not stored: nothing to resume)';
  run.logger.warn(
    { done, replicates: planned },
    `run interrupted: ${done} of ${planned} replicates done${where}. ` +
      "Run again with strategy: 'resume' (crystallize run --resume) to compute only the rest.",
  );
}

/** The warning a failed condition logs in-thread, for one that ran in a worker or elsewhere. */
function logFailuresFromElsewhere(logger: RunContext['logger'], outcome: ReplicateOutcome): void {
  for (const c of outcome.conditions) {
    if (!c.error) continue;
    logger.warn(
      {
        condition: c.condition,
        replicate: c.replicate,
        err: loggedError(originalError(c.error) ?? c.error),
      },
      `${c.condition} replicate ${c.replicate} failed: ${c.error.message}`,
    );
  }
}
