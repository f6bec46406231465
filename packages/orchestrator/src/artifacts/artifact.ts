import {
  CrystallizeError,
  DataSource,
  HASH_IDENTITY,
  ValidationError,
  type FrozenContext,
} from '@crystallize/core';
import type { ExperimentModel } from '../model/experiment-model.js';
import { ARTIFACT_BRAND } from '../model/plugin-kinds.js';
import { defaultArtifactLoader, type ArtifactFileInfo } from './content-type.js';
import { readUpstreamArtifact, upstreamReplicates } from './upstream-reader.js';

// Method syntax keeps the writer bivariant in T, so an `Artifact<Model>` fits where an
// `Artifact` (of unknown) is expected — an experiment's `outputs`, say.
export type ArtifactWriter<T> = { write(data: T): Uint8Array | string }['write'];
/** Turns a stored file back into data; `info` says how it was written (see ArtifactContentType). */
export type ArtifactLoader<T> = (bytes: Buffer, info: ArtifactFileInfo) => T;

export interface ArtifactOptions<T> {
  /** Turns data into file contents (default: bytes and strings as they are, anything else as JSON). */
  readonly writer?: ArtifactWriter<T>;
  /**
   * Turns file contents back into data for downstream use (default: as it was written — text
   * as a string, bytes as a Buffer, JSON parsed; see `_manifest.json` `contentTypes`).
   */
  readonly loader?: ArtifactLoader<T>;
}

const defaultWriter = (data: unknown): Uint8Array | string =>
  data instanceof Uint8Array || typeof data === 'string' ? data : JSON.stringify(data, null, 2);

/**
 * A named file a step writes beside the run's results. Declare it as a `@Param` of the step and
 * call `write(data)` inside the step: the ArtifactPlugin stores it under
 * `<root>/<experiment>/v<N>/replicate_<r>/<condition>/<Step>/<name>`.
 *
 * Listed in an experiment's `outputs`, the same object is also a data source for downstream
 * experiments (directly or inside an `ExperimentInput`): replicate r reads the upstream's
 * replicate `r % upstreamReplicates` of the same condition, or the baseline's when the upstream
 * did not run that treatment. A downstream runs as many replicates as the upstream's latest
 * stored run has (a `run({ replicates })` override included; the declared count before any run).
 *
 * @example
 * const model = new Artifact<Model>('model.json');
 * class Train extends Step<Data, Model> {
 *   @Param() model = model;
 *   @PipelineStep() run(data: Data) { const m = fit(data); this.model.write(m); return m; }
 * }
 * const train = new Experiment({ name: 'train', datasource, pipeline: [Train], outputs: [model] });
 * const evaluate = new Experiment({ name: 'evaluate', datasource: model, pipeline: [Score] });
 */
export class Artifact<T = unknown> extends DataSource<T> {
  readonly writer: ArtifactWriter<T>;
  readonly loader: ArtifactLoader<T>;
  readonly #name: string;
  readonly #ctx: FrozenContext | undefined;
  readonly #step: string | undefined;
  /** Experiments listing this artifact in `outputs`, by name (a rebuilt experiment replaces its old self). */
  readonly #producers = new Map<string, ExperimentModel>();

  constructor(
    name: string,
    options: ArtifactOptions<T> = {},
    binding?: { ctx: FrozenContext; step: string },
  ) {
    super();
    if (!name || /[\\/]|^\.\.?$/.test(name)) {
      throw new CrystallizeError(
        `Artifact name ${JSON.stringify(name)} is invalid: it names a file, so no '/' or '\\'.`,
      );
    }
    this.#name = name;
    this.writer = options.writer ?? (defaultWriter as ArtifactWriter<T>);
    this.loader = options.loader ?? (defaultArtifactLoader as ArtifactLoader<T>);
    this.#ctx = binding?.ctx;
    this.#step = binding?.step;
    // DataSource declares `replicates` as a field; as a data source an artifact has as many
    // replicates as its producer stored, read when asked (the producer may be built, or run, later).
    Object.defineProperty(this, 'replicates', {
      get: (): number | undefined => {
        const p = this.producers[0];
        return p ? upstreamReplicates(p) : undefined;
      },
      enumerable: true,
      configurable: true,
    });
  }

  /** The file name. */
  override get name(): string {
    return this.#name;
  }

  /** Experiments that list this artifact in `outputs` (more than one is an error for a graph). */
  get producers(): readonly ExperimentModel[] {
    return [...this.#producers.values()];
  }

  /** The experiment that produces this artifact, if exactly one does. */
  get producer(): ExperimentModel | undefined {
    return this.#producers.size === 1 ? this.producers[0] : undefined;
  }

  /** @internal An Experiment listing this artifact in `outputs` registers itself here. */
  attachProducer(experiment: ExperimentModel): void {
    this.#producers.set(experiment.name, experiment);
  }

  /** Records `data` for this replicate and condition; the ArtifactPlugin writes the file. */
  write(data: T): void {
    if (!this.#ctx || this.#step === undefined) {
      throw new CrystallizeError(
        `Artifact '${this.name}' is not bound to a running step. Declare it as a @Param() of the step that writes it.`,
      );
    }
    // The default writer's choice (text, bytes or JSON) is made by the ArtifactPlugin, which
    // records it so that the default loader reads the file back as it was written.
    const contents = this.writer === defaultWriter ? data : this.writer(data);
    this.#ctx.artifacts.add(this.name, contents, this.#step);
  }

  /** As a data source: the upstream file for this replicate and condition, through `loader`. */
  fetch(ctx: FrozenContext): T {
    const producers = this.producers;
    if (producers.length !== 1) {
      throw new ValidationError(
        producers.length === 0
          ? `Artifact '${this.name}' is read as a data source but no experiment lists it in 'outputs'. Add it to the upstream experiment's outputs.`
          : `Artifact '${this.name}' is produced by several experiments (${producers.map((p) => `'${p.name}'`).join(', ')}); give each its own Artifact.`,
      );
    }
    return readUpstreamArtifact(
      producers[0] as ExperimentModel,
      this.name,
      undefined,
      this.loader,
      ctx,
    );
  }

  /** @internal A copy bound to one step call's context (the pipeline runner does this). */
  bind(ctx: FrozenContext, step: string): Artifact<T> {
    return new Artifact(this.name, { writer: this.writer, loader: this.loader }, { ctx, step });
  }

  /** Marks artifacts of any copy of the framework (the pipeline runner binds them by this). */
  get [ARTIFACT_BRAND](): true {
    return true;
  }

  /** Artifacts are identified by name for hashing and caching. */
  [HASH_IDENTITY](): unknown {
    return { artifact: this.name };
  }
}
