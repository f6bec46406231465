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

  add(name: string, data: unknown, step?: string): void {
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
