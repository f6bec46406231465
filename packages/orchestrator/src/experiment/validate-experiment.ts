import {
  BASELINE_CONDITION,
  Hypothesis,
  RESERVED_CONTEXT_KEYS,
  Treatment,
} from '@crystallize/core';
import { isPluginLike } from '../model/plugin-kinds.js';
import { reservedKeyProblem } from '../run/condition-runner.js';
import { knownMetrics } from './known-metrics.js';
import type { ExperimentModel } from '../model/experiment-model.js';
import type { RunOptions } from './experiment-options.js';

const RESERVED: ReadonlySet<string> = new Set(RESERVED_CONTEXT_KEYS);

/** Hypotheses naming a metric that the newest stored run of this pipeline never recorded. */
function missingMetricProblems(exp: ExperimentModel, hypotheses: readonly unknown[]): string[] {
  const named = hypotheses.filter(
    (h): h is Hypothesis<unknown> => h instanceof Hypothesis && h.metricGroups !== undefined,
  );
  if (named.length === 0) return [];
  let known: ReturnType<typeof knownMetrics>;
  try {
    known = knownMetrics(exp);
  } catch {
    return []; // an invalid pipeline is reported on its own
  }
  if (!known) return [];
  const recorded = [...known.names].map((n) => `'${n}'`).join(', ');
  const problems: string[] = [];
  for (const h of named) {
    for (const metric of new Set(h.metricGroups?.flat())) {
      if (!known.names.has(metric))
        problems.push(
          `hypothesis '${h.name}' tests metric '${metric}', which the last stored run of this pipeline ` +
            `(${known.source}) never recorded (recorded: ${recorded}). Fix the metric name or record it ` +
            `with ctx.metrics.add('${metric}', value).`,
        );
    }
  }
  return problems;
}

/**
 * Every problem with an experiment and the run options given to it, all at once — so a user
 * fixes them in one pass instead of one error per run.
 */
export function experimentProblems(exp: ExperimentModel, options: RunOptions): string[] {
  const problems: string[] = [];
  if (!/^[\w.-]+$/.test(exp.name)) {
    problems.push(
      `name ${JSON.stringify(exp.name)}: use letters, digits, '_', '-' or '.' (it names a folder)`,
    );
  }
  const replicates = options.replicates ?? exp.datasource.replicates ?? exp.replicates;
  if (!Number.isInteger(replicates) || replicates < 1) {
    problems.push(`replicates must be an integer >= 1, got ${String(replicates)}`);
  }
  const treatments = options.treatments ?? exp.treatments;
  const hypotheses = options.hypotheses ?? exp.hypotheses;
  const tNames = new Set<string>();
  treatments.forEach((t, i) => {
    if (!(t instanceof Treatment))
      problems.push(`treatments[${i}] is not a Treatment; build it with treatment(name, values)`);
    else if (tNames.has(t.name)) problems.push(`treatment '${t.name}' is defined twice`);
    else tNames.add(t.name);
    if (t instanceof Treatment && t.values) {
      for (const key of Object.keys(t.values))
        if (RESERVED.has(key)) problems.push(reservedKeyProblem(`treatment '${t.name}'`, key));
    }
  });
  for (const key of Object.keys(exp.initialCtx))
    if (RESERVED.has(key)) problems.push(reservedKeyProblem('initialCtx', key));
  const real = [...tNames].filter((n) => n !== BASELINE_CONDITION);
  const hNames = new Set<string>();
  hypotheses.forEach((h, i) => {
    if (!(h instanceof Hypothesis))
      problems.push(`hypotheses[${i}] is not a Hypothesis; build it with hypothesis({...})`);
    else if (hNames.has(h.name))
      problems.push(`hypothesis '${h.name}' is defined twice; give each a name`);
    else hNames.add(h.name);
  });
  if (hypotheses.length > 0 && real.length === 0) {
    problems.push('hypotheses need at least one treatment to compare against the baseline');
  }
  problems.push(...missingMetricProblems(exp, hypotheses));
  exp.plugins.forEach((p, i) => {
    if (!isPluginLike(p))
      problems.push(
        `plugins[${i}] is not a plugin: it has no hook method (beforeRun, afterStep, ...); extend BasePlugin or implement ExperimentPlugin`,
      );
  });
  return problems;
}
