import type { DataSourceLike, StepLike, Treatment } from '@crystallize/core';
import type { Artifact } from '../artifacts/artifact.js';
import type { ExperimentPlugin } from '../model/experiment-model.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { StepOutputCache } from '../pipeline/step-cache.js';
import type { AnyHypothesis, ExperimentOptions } from './experiment-options.js';

/**
 * Fluent construction of an experiment; `Experiment.builder(name)` starts one. (It is handed the
 * constructor to call, so this module does not import `Experiment`, which imports it back.)
 *
 * @example
 * Experiment.builder('scale-demo').datasource(() => [1, 2, 3]).addStep(ScaleData.with({ factor: 2 }))
 *   .addStep(ComputeSum).treatments([treatment('double', { scale_factor: 2 })]).replicates(3).build();
 */
export class ExperimentBuilder<E = unknown> {
  #name: string | undefined;
  #description: string | undefined;
  #datasource: DataSourceLike | undefined;
  readonly #steps: StepLike[] = [];
  #plugins: ExperimentPlugin[] = [];
  #treatments: Treatment[] = [];
  #hypotheses: AnyHypothesis[] = [];
  #replicates: number | undefined;
  #initialCtx: Record<string, unknown> = {};
  #outputs: Artifact[] = [];
  #cache: StepOutputCache | false | undefined;

  readonly #create: (options: ExperimentOptions) => E;

  constructor(name: string | undefined, create: (options: ExperimentOptions) => E) {
    this.#name = name;
    this.#create = create;
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
  plugins(plugins: readonly ExperimentPlugin[]): this {
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

  build(): E {
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
    return this.#create(options);
  }
}
