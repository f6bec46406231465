import { DataSource, type FrozenContext } from '@crystallize/core';
import type { ExperimentModel } from '../model/experiment-model.js';
import type { ArtifactLoader } from './artifact.js';
import { defaultArtifactLoader } from './content-type.js';
import { readUpstreamArtifact, upstreamReplicates } from './upstream-reader.js';

/**
 * Reads a file that step `step` of an upstream experiment stored as artifact `name` — for
 * upstreams whose `Artifact` object is not at hand. Built by `experiment.artifactDatasource(step,
 * name)`; same replicate and treatment rules as using the `Artifact` itself.
 *
 * @example
 * const evaluate = new Experiment({ name: 'evaluate', datasource: train.artifactDatasource('Train', 'model.json'), ... });
 */
export class ArtifactDataSource<T = unknown> extends DataSource<T> {
  constructor(
    readonly producer: ExperimentModel,
    readonly step: string,
    readonly artifact: string,
    readonly loader: ArtifactLoader<T> = defaultArtifactLoader as ArtifactLoader<T>,
  ) {
    super();
    Object.defineProperty(this, 'replicates', {
      get: (): number => upstreamReplicates(producer),
      enumerable: true,
      configurable: true,
    });
  }

  override get name(): string {
    return `${this.producer.name}#${this.artifact}`;
  }

  fetch(ctx: FrozenContext): T {
    return readUpstreamArtifact(this.producer, this.artifact, this.step, this.loader, ctx);
  }
}
