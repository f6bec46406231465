import type { DataSourceLike, StepLike, Treatment } from '@crystallize/core';
import type { Artifact } from '../artifacts/artifact.js';
import type { BasePlugin } from '../plugins/plugin.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { StepOutputCache } from '../pipeline/step-cache.js';
import type { AnyHypothesis, ExperimentOptions } from './experiment-options.js';
import { Experiment } from './experiment.js';

/**
 * Fluent construction of an {@link Experiment}.
 *
 * @example
 * Experiment.builder('scale-demo').datasource(() => [1, 2, 3]).addStep(ScaleData.with({ factor: 2 }))
 *   .addStep(ComputeSum).treatments([treatment('double', { scale_factor: 2 })]).replicates(3).build();
 */
export class ExperimentBuilder {
  #name: string | undefined;
  #description: string | undefined;
  #datasource: DataSourceLike | undefined;
  readonly #steps: StepLike[] = [];
  #plugins: BasePlugin[] = [];
  #treatments: Treatment[] = [];
  #hypotheses: AnyHypothesis[] = [];
  #replicates: number | undefined;
  #initialCtx: Record<string, unknown> = {};
  #outputs: Artifact[] = [];
  #cache: StepOutputCache | false | undefined;

  constructor(name?: string) {
    this.#name = name;
  }

  name(name: string): this {
    this.#name = name;
    return this;
  }
  /** What the experiment is for (kept in `metadata.json`). */
  description(text: string): this {
    this.#description = text;
    return this;
  }
  datasource(ds: DataSourceLike): this {
    this.#datasource = ds;
    return this;
  }
  addStep(step: StepLike): this {
    this.#steps.push(step);
    return this;
  }
  plugins(plugins: readonly BasePlugin[]): this {
    this.#plugins = [...plugins];
    return this;
  }
  treatments(treatments: readonly Treatment[]): this {
    this.#treatments = [...treatments];
    return this;
  }
  hypotheses(hypotheses: readonly AnyHypothesis[]): this {
    this.#hypotheses = [...hypotheses];
    return this;
  }
  replicates(n: number): this {
    this.#replicates = n;
    return this;
  }
  initialCtx(values: Readonly<Record<string, unknown>>): this {
    this.#initialCtx = { ...values };
    return this;
  }
  outputs(outputs: readonly Artifact[]): this {
    this.#outputs = [...outputs];
    return this;
  }
  cache(cache: StepOutputCache | false): this {
    this.#cache = cache;
    return this;
  }

  build(): Experiment {
    const options: ExperimentOptions = {
      ...(this.#name !== undefined ? { name: this.#name } : {}),
      ...(this.#description !== undefined ? { description: this.#description } : {}),
      datasource: this.#datasource as DataSourceLike,
      pipeline: this.#steps.length ? new Pipeline(this.#steps) : [],
      plugins: this.#plugins,
      treatments: this.#treatments,
      hypotheses: this.#hypotheses,
      ...(this.#replicates !== undefined ? { replicates: this.#replicates } : {}),
      initialCtx: this.#initialCtx,
      outputs: this.#outputs,
      ...(this.#cache !== undefined ? { cache: this.#cache } : {}),
    };
    return new Experiment(options);
  }
}
