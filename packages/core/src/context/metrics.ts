import { freezeCopy } from '../internal/immutable.js';

/**
 * A recorded metric value. Verifiers test numbers; strings, booleans, arrays and objects are
 * stored as they are. Typed `unknown` so that what a step naturally has — `ctx.get('k')`, a
 * parsed field — is recorded without a cast: `ctx.metrics.add('k', ctx.get('k'))`.
 */
export type MetricValue = unknown;
export type MetricTags = Readonly<Record<string, string | number | boolean>>;

/** One recorded value, as kept in recording order. */
export interface MetricRecord {
  readonly name: string;
  readonly value: MetricValue;
  readonly tags?: MetricTags;
}

/**
 * Metrics a step records during one replicate of one condition. Values append; nothing is
 * overwritten, so a metric recorded by two steps keeps both samples in order.
 *
 * @example
 * ctx.metrics.add('accuracy', 0.93, { split: 'test' });
 * ctx.metrics.get('accuracy'); // [0.93]
 */
export class Metrics {
  readonly #values = new Map<string, unknown[]>();
  readonly #tags = new Map<string, (MetricTags | undefined)[]>();
  readonly #log: MetricRecord[] = [];

  add(name: string, value: MetricValue, tags?: MetricTags): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(`Metric name must be a non-empty string, got ${String(name)}`);
    }
    let values = this.#values.get(name);
    let tagList = this.#tags.get(name);
    if (!values || !tagList) {
      values = [];
      tagList = [];
      this.#values.set(name, values);
      this.#tags.set(name, tagList);
    }
    const stored = typeof value === 'object' && value !== null ? freezeCopy(value) : value;
    const storedTags = tags ? freezeCopy(tags) : undefined;
    values.push(stored);
    tagList.push(storedTags);
    this.#log.push(
      storedTags ? { name, value: stored, tags: storedTags } : { name, value: stored },
    );
  }

  /** How many values were recorded so far, over all names. */
  get count(): number {
    return this.#log.length;
  }

  /** The values recorded after the first `start` ones, in order (provenance and caching use it). */
  recordsSince(start: number): MetricRecord[] {
    return this.#log.slice(start);
  }

  /** The values recorded under `name`, oldest first (an empty array when none). */
  get<T = MetricValue>(name: string): readonly T[] {
    return Object.freeze([...((this.#values.get(name) ?? []) as T[])]);
  }

  /** The tags given with each value of `name`, aligned with {@link Metrics.get}. */
  tags(name: string): readonly (MetricTags | undefined)[] {
    return Object.freeze([...(this.#tags.get(name) ?? [])]);
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  names(): string[] {
    return [...this.#values.keys()];
  }

  /** A plain `{ name: values[] }` snapshot. */
  toObject(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const [name, values] of this.#values) out[name] = [...values];
    return out;
  }
}
