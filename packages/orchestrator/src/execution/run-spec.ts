import { Treatment, ValidationError } from '@crystallize/core';
import type { ExperimentModel, RunPlan } from '../model/experiment-model.js';
import { findPluginOfKind } from '../model/plugin-kinds.js';
import {
  assertSameIdentity,
  experimentIdentity,
  type IdentityPart,
} from './experiment-identity.js';

/** A treatment as it crosses to a worker: its values, or just its name when it is a function. */
export type TreatmentSpec =
  | { readonly name: string; readonly values: Readonly<Record<string, unknown>> }
  | { readonly name: string; readonly fn: true };

/**
 * Everything a worker needs to run replicates of a run the parent planned — plain data only.
 * The experiment itself is rebuilt in the worker from `module`.
 */
export interface RunSpec {
  /** Identifies the run, so a worker reuses what it rebuilt for it. */
  readonly id: string;
  readonly module: string;
  readonly experiment: string;
  readonly treatments: readonly TreatmentSpec[];
  readonly baselineTreatment: TreatmentSpec | undefined;
  readonly conditions: readonly string[];
  /** Replicates that run only some of `conditions` (resume reused the rest): their conditions. */
  readonly replicateConditions?: Readonly<Record<string, readonly string[]>>;
  readonly replicates: number;
  readonly verbose: boolean;
  /** The parent's LoggingPlugin level, so a worker is as quiet (or as loud) as its parent. */
  readonly logLevel?: string | undefined;
  readonly runDir: string | undefined;
  /** Per pipeline step: the name, and the identity the worker's copy adopts. */
  readonly steps: readonly {
    name: string;
    fingerprint: string;
    paramTypes: Record<string, string>;
  }[];
  /**
   * The configuration of the experiment `run()` was called on, part by part (functions opaque):
   * the worker recomputes it on what it rebuilt and refuses the run if any part differs.
   */
  readonly identity: readonly IdentityPart[];
  /**
   * What the rebuilt side does with the steps' code fingerprints: `adopt` the parent's (threads
   * of one process, which may transpile the same source differently; the default), or `verify`
   * that its own equal them and refuse the run naming each differing step (another process or
   * machine, whose checkout may differ).
   */
  readonly code?: 'adopt' | 'verify';
  /** The module export that holds the experiment, when the parent knows it (else found by name). */
  readonly exportName?: string;
  /** The backend named in errors (default `ParallelExecution`). */
  readonly backend?: string;
}

let runCounter = 0;

function treatmentSpec(t: Treatment): TreatmentSpec {
  return t.values ? { name: t.name, values: t.values } : { name: t.name, fn: true };
}

/** The parent's side: describes a planned run for workers. */
export function buildRunSpec(
  experiment: ExperimentModel,
  plan: RunPlan,
  module: string,
  conditions: readonly string[],
  runDir: string | undefined,
  replicateConditions?: ReadonlyMap<number, readonly string[]>,
): RunSpec {
  return {
    ...(replicateConditions && replicateConditions.size > 0
      ? { replicateConditions: Object.fromEntries(replicateConditions) }
      : {}),
    id: `${process.pid}-${Date.now()}-${++runCounter}`,
    module,
    experiment: experiment.name,
    treatments: plan.treatments.map(treatmentSpec),
    baselineTreatment: plan.baselineTreatment ? treatmentSpec(plan.baselineTreatment) : undefined,
    conditions,
    replicates: plan.replicates,
    verbose: plan.verbose,
    logLevel: findPluginOfKind<{ readonly level?: string }>(experiment.plugins, 'logging')?.level,
    runDir,
    steps: experiment.pipeline.steps.map((s) => ({ name: s.name, ...s.identity })),
    identity: experimentIdentity(experiment),
  };
}

function restoreTreatment(spec: TreatmentSpec, experiment: ExperimentModel): Treatment {
  if ('values' in spec) return new Treatment(spec.name, spec.values);
  const own = experiment.treatments.find((t) => t.name === spec.name && !t.values);
  if (!own) {
    throw new ValidationError(
      `treatment '${spec.name}' is a function that was not declared in the experiment's own treatments, so a worker cannot rebuild it. ` +
        `Declare it in new Experiment({ treatments: [...] }) in the experiment's module, or use a { key: value } treatment.`,
      'ParallelExecution',
    );
  }
  return own;
}

/** Refuses a rebuilt experiment whose steps' code differs from the planned run's, naming each step. */
function assertSameCode(experiment: ExperimentModel, spec: RunSpec): void {
  const differing = experiment.pipeline.steps.flatMap((step, i) => {
    const planned = spec.steps[i]?.fingerprint;
    const own = step.fingerprint;
    return planned === own
      ? []
      : [
          `step '${step.name}' (#${i + 1}): code fingerprint ${String(planned).slice(0, 12)} where the run was submitted, ${own.slice(0, 12)} here`,
        ];
  });
  if (differing.length === 0) return;
  throw new ValidationError(
    [
      `the code of experiment '${spec.experiment}' rebuilt from ${spec.module} differs from the code the run was submitted with ` +
        `(${differing.length} step${differing.length > 1 ? 's' : ''}); nothing ran here. Check out the submitter's commit on this machine ` +
        '(and rebuild it if the module is compiled), and load it the same way on both sides (both through the crystallize command, or both as the same compiled JavaScript).',
      ...differing,
    ],
    spec.backend ?? 'ParallelExecution',
  );
}

/** The worker's side: checks the rebuilt experiment matches the parent's and rebuilds the plan. */
export function restorePlan(experiment: ExperimentModel, spec: RunSpec): RunPlan {
  const steps = experiment.pipeline.steps;
  const names = steps.map((s) => s.name).join(' > ');
  const expected = spec.steps.map((s) => s.name).join(' > ');
  if (names !== expected) {
    throw new ValidationError(
      `the experiment rebuilt from ${spec.module} has pipeline ${names || '(none)'}, but the run was planned with ${expected}. ` +
        'Build the pipeline at the module top level, not from run-time values.',
      spec.backend ?? 'ParallelExecution',
    );
  }
  assertSameIdentity(spec.identity, experimentIdentity(experiment), {
    experiment: spec.experiment,
    module: spec.module,
    expectedLabel: 'in the experiment run() was called on',
    actualLabel: 'in the worker',
    backend: spec.backend ?? 'ParallelExecution',
  });
  if (spec.code === 'verify') assertSameCode(experiment, spec);
  steps.forEach((s, i) => s.adoptIdentity(spec.steps[i] as RunSpec['steps'][number]));
  return {
    replicates: spec.replicates,
    treatments: spec.treatments.map((t) => restoreTreatment(t, experiment)),
    baselineTreatment: spec.baselineTreatment
      ? restoreTreatment(spec.baselineTreatment, experiment)
      : undefined,
    hypotheses: [],
    strategy: 'rerun',
    signal: undefined,
    drain: undefined,
    verbose: spec.verbose,
    store: spec.runDir !== undefined,
    execution: undefined,
  };
}
