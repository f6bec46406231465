import { ExperimentInput, type DataSource } from '@crystallize/core';
import { Artifact } from '../artifacts/artifact.js';
import { ArtifactDataSource } from '../artifacts/artifact-datasource.js';
import type { ExperimentModel } from '../model/experiment-model.js';

/** One upstream artifact an experiment's data source reads. */
export interface UpstreamRead {
  readonly artifact: string;
  /** Every experiment producing it (an artifact listed in two experiments' outputs has two). */
  readonly producers: readonly ExperimentModel[];
}

/** The upstream artifacts `experiment` reads through its data source (and ExperimentInput parts). */
export function upstreamReads(experiment: ExperimentModel): UpstreamRead[] {
  const out: UpstreamRead[] = [];
  const visit = (ds: DataSource): void => {
    if (ds instanceof Artifact) out.push({ artifact: ds.name, producers: ds.producers });
    else if (ds instanceof ArtifactDataSource)
      out.push({ artifact: ds.artifact, producers: [ds.producer] });
    else if (ds instanceof ExperimentInput)
      for (const part of Object.values(ds.inputs as Record<string, DataSource>)) visit(part);
  };
  visit(experiment.datasource as DataSource);
  return out;
}
