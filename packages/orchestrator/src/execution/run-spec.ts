import { Treatment, ValidationError } from '@crystallize/core';
import type { ExperimentModel, RunPlan } from '../model/experiment-model.js';
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
  readonly replicates: number;
  readonly verbose: boolean;
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
): RunSpec {
  return {
    id: `${process.pid}-${Date.now()}-${++runCounter}`,
    module,
    experiment: experiment.name,
    treatments: plan.treatments.map(treatmentSpec),
    baselineTreatment: plan.baselineTreatment ? treatmentSpec(plan.baselineTreatment) : undefined,
    conditions,
    replicates: plan.replicates,
    verbose: plan.verbose,
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

/** The worker's side: checks the rebuilt experiment matches the parent's and rebuilds the plan. */
export function restorePlan(experiment: ExperimentModel, spec: RunSpec): RunPlan {
  const steps = experiment.pipeline.steps;
  const names = steps.map((s) => s.name).join(' > ');
  const expected = spec.steps.map((s) => s.name).join(' > ');
  if (names !== expected) {
    throw new ValidationError(
      `the experiment rebuilt from ${spec.module} has pipeline ${names || '(none)'}, but the run was planned with ${expected}. ` +
        'Build the pipeline at the module top level, not from run-time values.',
      'ParallelExecution',
    );
  }
  assertSameIdentity(spec.identity, experimentIdentity(experiment), {
    experiment: spec.experiment,
    module: spec.module,
    expectedLabel: 'in the experiment run() was called on',
    actualLabel: 'in the worker',
    backend: 'ParallelExecution',
  });
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
    verbose: spec.verbose,
    store: spec.runDir !== undefined,
    execution: undefined,
  };
}
