import { ContextMutationError } from '../errors.js';

export interface ArtifactEntry {
  readonly name: string;
  readonly data: unknown;
  /** The step that wrote it, when known. */
  readonly step?: string;
}

/**
 * Files a step wants stored beside the run's results. Each name can be added once per replicate
 * and condition, so two steps never silently overwrite one another's output.
 */
export class ArtifactLog {
  readonly #entries = new Map<string, ArtifactEntry>();
  #step: string | undefined;

  /**
   * Adds file `name` with contents `data` (a string is stored as text, bytes as bytes, anything
   * else as JSON). `step` defaults to the step running in this context, so an artifact added
   * with `ctx.artifacts.add(name, data)` is recorded with the step that added it.
   */
  add(name: string, data: unknown, step: string | undefined = this.#step): void {
    if (this.#entries.has(name)) {
      throw new ContextMutationError(
        `Artifact '${name}' was already added in this replicate; give each artifact a unique name.`,
      );
    }
    this.#entries.set(
      name,
      Object.freeze(step === undefined ? { name, data } : { name, data, step }),
    );
  }

  /** @internal The context names the running step here (FrozenContext.enterStep). */
  enterStep(step: string | undefined): void {
    this.#step = step;
  }

  get(name: string): ArtifactEntry | undefined {
    return this.#entries.get(name);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  entries(): ArtifactEntry[] {
    return [...this.#entries.values()];
  }

  get size(): number {
    return this.#entries.size;
  }
}
