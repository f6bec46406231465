import { fileURLToPath } from 'node:url';
import {
  BASELINE_CONDITION,
  codeFingerprint,
  hashValue,
  toDataSource,
  type DataSource,
  type Treatment,
} from '@crystallize/core';
import { recordDefinitionSite } from '@crystallize/core/internal';
import type { Pipeline } from '../pipeline/pipeline.js';
import {
  seederOf,
  type ConditionFingerprint,
  type ExperimentModel,
  type RunPlan,
} from '../model/experiment-model.js';

export type { ConditionFingerprint };

function safeHash(value: unknown): string {
  try {
    return hashValue(value);
  } catch {
    return 'unhashable';
  }
}

type Code = (...a: never[]) => unknown;

function sitePath(definedIn: string | undefined): string | undefined {
  if (definedIn === undefined) return undefined;
  try {
    const path = definedIn.startsWith('file:') ? fileURLToPath(definedIn) : definedIn;
    // Built by code in an installed package (a CLI, a test runner): not the user's module.
    return path.includes('/node_modules/') ? undefined : path;
  } catch {
    return undefined;
  }
}

/**
 * The data source's code and the module-level code it reads. The source is looked up from the
 * module that built the experiment: by name when that module declares or imports it, else as
 * written inline there. An `ExperimentInput`'s named inputs count one by one.
 */
function datasourceCode(ds: DataSource, definedIn: string | undefined): string {
  const inputs = (ds as { inputs?: unknown }).inputs;
  if (typeof inputs === 'object' && inputs !== null) {
    const parts = Object.entries(inputs as Record<string, unknown>);
    if (
      parts.length > 0 &&
      parts.every(([, v]) => typeof (v as DataSource)?.fetch === 'function')
    ) {
      return hashValue({
        composite: codeFingerprint(ds.constructor as Code),
        inputs: Object.fromEntries(
          parts.map(([name, v]) => [name, datasourceCode(v as DataSource, definedIn)]),
        ),
      });
    }
  }
  const fn = (ds as { fn?: unknown }).fn;
  const code = (typeof fn === 'function' ? fn : ds.constructor) as Code;
  const file = sitePath(definedIn);
  // A function may be written inline in the experiment's module; a DataSource class is looked
  // up by name only (framework classes such as ArtifactDataSource are not the user's code).
  if (file !== undefined) recordDefinitionSite(code, file, typeof fn === 'function');
  return codeFingerprint(code);
}

/**
 * Everything that decides a condition's results, hashed part by part so that resume can say
 * which part changed: pipeline code and params, data source code, the treatment's definition,
 * initial context, replicate count and master seed.
 */
export function conditionFingerprint(input: {
  readonly pipeline: Pipeline;
  readonly datasource: DataSource;
  readonly treatment: Treatment | undefined;
  readonly baselineTreatment: Treatment | undefined;
  readonly initialCtx: Readonly<Record<string, unknown>>;
  readonly replicates: number;
  readonly seed: number;
  /** The module that built the experiment (where its data source is looked up). */
  readonly definedIn?: string | undefined;
}): ConditionFingerprint {
  const parts = {
    pipeline: input.pipeline.signature(),
    datasource: datasourceCode(toDataSource(input.datasource), input.definedIn),
    treatment: safeHash(input.treatment?.definition ?? input.baselineTreatment?.definition ?? null),
    initialCtx: safeHash(input.initialCtx),
    replicates: String(input.replicates),
    seed: String(input.seed),
  };
  return { hash: hashValue(parts), parts };
}

/** Names the parts that differ, for the log line that says why a condition reruns. */
export function describeMismatch(
  stored: Readonly<Record<string, string>> | undefined,
  current: Readonly<Record<string, string>>,
): string {
  if (!stored) return 'stored results have no fingerprint';
  const changed = Object.keys(current).filter((k) => stored[k] !== current[k]);
  const labels: Record<string, string> = {
    pipeline: 'pipeline code or parameters changed',
    datasource: 'data source code changed',
    treatment: 'treatment definition changed',
    initialCtx: 'initial context changed',
    replicates: `replicate count changed (${stored['replicates']} -> ${current['replicates']})`,
    seed: `seed changed (${stored['seed']} -> ${current['seed']})`,
  };
  return changed.map((k) => labels[k] ?? `${k} changed`).join('; ') || 'fingerprint changed';
}

/** Fingerprint of each condition of a plan: the baseline, then each treatment (resume compares them). */
export function planFingerprints(
  experiment: Pick<
    ExperimentModel,
    'pipeline' | 'datasource' | 'initialCtx' | 'definedIn' | 'plugins'
  >,
  plan: Pick<RunPlan, 'replicates' | 'treatments' | 'baselineTreatment'>,
): Record<string, ConditionFingerprint> {
  const common = {
    pipeline: experiment.pipeline,
    datasource: experiment.datasource,
    initialCtx: experiment.initialCtx,
    replicates: plan.replicates,
    seed: seederOf(experiment)?.seed ?? 0,
    baselineTreatment: plan.baselineTreatment,
    definedIn: experiment.definedIn,
  };
  const out: Record<string, ConditionFingerprint> = {
    [BASELINE_CONDITION]: conditionFingerprint({ ...common, treatment: undefined }),
  };
  for (const t of plan.treatments)
    out[t.name] = conditionFingerprint({ ...common, treatment: t, baselineTreatment: undefined });
  return out;
}
