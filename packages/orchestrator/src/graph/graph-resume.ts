import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_CONDITION } from '@crystallize/core';
import { locateUpstream } from '../artifacts/upstream-reader.js';
import type { ExperimentModel, RunOptions } from '../model/experiment-model.js';
import { everyConditionReusable } from '../resume/reusable-conditions.js';
import { artifactRelPath } from '../storage/run-layout.js';
import { upstreamReads } from './upstream-reads.js';

/*
 * What `strategy: 'resume'` needs to know about a graph node beyond the experiment's own resume:
 * whether it would reuse everything, and whether its stored run lacks a file a downstream reads.
 */

/** Whether resume would reuse every condition of `exp` (nothing left to run). */
export function allConditionsStored(exp: ExperimentModel, base: RunOptions): boolean {
  return everyConditionReusable(exp, exp.fingerprints(exp.plan({ ...base, strategy: 'resume' })));
}

/** What a downstream (`children`) reads from `exp` that its latest stored run lacks, if anything. */
export function missingOutputs(
  exp: ExperimentModel,
  children: readonly ExperimentModel[],
  base: RunOptions,
): string | undefined {
  const name = exp.name;
  const plan = exp.plan(base);
  const conditions = [BASELINE_CONDITION, ...plan.treatments.map((t) => t.name)];
  for (const child of children) {
    for (const read of upstreamReads(child)) {
      if (!read.producers.some((p) => p.name === name)) continue;
      const loc = locateUpstream(exp, read.artifact);
      if (!loc?.step)
        return `'${child.name}' needs '${read.artifact}', which no stored run of '${name}' has`;
      for (const c of conditions) {
        for (let r = 0; r < plan.replicates; r++) {
          const rel = artifactRelPath(r, c, loc.step, read.artifact);
          if (!loc.files.has(rel) || !existsSync(join(loc.dir, rel)))
            return `'${child.name}' needs '${rel}', which the stored run of '${name}' lacks`;
        }
      }
    }
  }
  return undefined;
}
