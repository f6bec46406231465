import { CrystallizeError, HASH_IDENTITY, type FrozenContext } from '@crystallize/core';

export type ArtifactWriter<T> = (data: T) => Uint8Array | string;
export type ArtifactLoader<T> = (bytes: Buffer) => T;

export interface ArtifactOptions<T> {
  /** Turns data into file contents (default: bytes and strings as they are, anything else as JSON). */
  readonly writer?: ArtifactWriter<T>;
  /** Turns file contents back into data for downstream use (default: JSON.parse of UTF-8). */
  readonly loader?: ArtifactLoader<T>;
}

const defaultWriter = (data: unknown): Uint8Array | string =>
  data instanceof Uint8Array || typeof data === 'string' ? data : JSON.stringify(data, null, 2);
const defaultLoader = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'));

/**
 * A named file a step writes beside the run's results. Declare it as a `@Param` of the step and
 * call `write(data)` inside the step: the ArtifactPlugin stores it under
 * `<root>/<experiment>/v<N>/replicate_<r>/<condition>/<Step>/<name>`.
 *
 * @example
 * class Train extends Step<Data, Model> {
 *   @Param() model = new Artifact<Model>('model.json');
 *   @PipelineStep() run(data: Data) { const m = fit(data); this.model.write(m); return m; }
 * }
 */
export class Artifact<T = unknown> {
  readonly name: string;
  readonly writer: ArtifactWriter<T>;
  readonly loader: ArtifactLoader<T>;
  readonly #ctx: FrozenContext | undefined;
  readonly #step: string | undefined;

  constructor(
    name: string,
    options: ArtifactOptions<T> = {},
    binding?: { ctx: FrozenContext; step: string },
  ) {
    if (!name || /[\\/]|^\.\.?$/.test(name)) {
      throw new CrystallizeError(
        `Artifact name ${JSON.stringify(name)} is invalid: it names a file, so no '/' or '\\'.`,
      );
    }
    this.name = name;
    this.writer = options.writer ?? (defaultWriter as ArtifactWriter<T>);
    this.loader = options.loader ?? (defaultLoader as ArtifactLoader<T>);
    this.#ctx = binding?.ctx;
    this.#step = binding?.step;
  }

  /** Records `data` for this replicate and condition; the ArtifactPlugin writes the file. */
  write(data: T): void {
    if (!this.#ctx || this.#step === undefined) {
      throw new CrystallizeError(
        `Artifact '${this.name}' is not bound to a running step. Declare it as a @Param() of the step that writes it.`,
      );
    }
    this.#ctx.artifacts.add(this.name, this.writer(data), this.#step);
  }

  /** @internal A copy bound to one step call's context (the pipeline runner does this). */
  bind(ctx: FrozenContext, step: string): Artifact<T> {
    return new Artifact(this.name, { writer: this.writer, loader: this.loader }, { ctx, step });
  }

  /** Artifacts are identified by name for hashing and caching. */
  [HASH_IDENTITY](): unknown {
    return { artifact: this.name };
  }
}
