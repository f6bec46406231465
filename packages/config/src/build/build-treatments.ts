import { Treatment } from '@crystallize/core';
import type { ExperimentConfig } from '../schema/config.schema.js';
import type { BuildScope } from './lookup.js';

/** `treatments:` as Treatments; hypotheses without a treatment to compare are a problem. */
export function buildTreatments(scope: BuildScope, config: Partial<ExperimentConfig>): Treatment[] {
  const { source, issues } = scope;
  const treatments: Treatment[] = [];
  for (const [name, values] of Object.entries(config.treatments ?? {})) {
    try {
      treatments.push(new Treatment(name, values ?? {}));
    } catch (e) {
      issues.push(source.issue(['treatments', name], (e as Error).message, true));
    }
  }
  const hasHypotheses = (config.hypotheses?.length ?? 0) > 0;
  const noTreatments =
    config.treatments !== undefined
      ? !treatments.some((t) => t.name !== 'baseline')
      : !issues.some((i) => i.path.startsWith('treatments'));
  if (hasHypotheses && noTreatments) {
    issues.push(
      source.issue(
        ['hypotheses'],
        'hypotheses compare treatments with the baseline, but there are no treatments: add some under treatments:.',
        true,
      ),
    );
  }
  return treatments;
}
