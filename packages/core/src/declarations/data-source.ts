import type { FrozenContext } from '../context/frozen-context.js';
import { ValidationError } from '../errors.js';

/**
 * Where a replicate's data comes from. Subclass it, or pass a plain `(ctx) => data` function
 * wherever a data source is accepted.
 *
 * @example
 * class Csv extends DataSource<Row[]> {
 *   constructor(private path: string) { super(); }
 *   fetch() { return readRows(this.path); }
 * }
 */
export abstract class DataSource<T = unknown> {
  /** Replicates this source provides (e.g. an upstream artifact's); overrides the experiment's count. */
  replicates?: number;
  /** A display name for logs and provenance. */
  get name(): string {
    return this.constructor.name;
  }
  abstract fetch(ctx: FrozenContext): T | Promise<T>;
}

export type DataSourceFn<T = unknown> = (ctx: FrozenContext) => T | Promise<T>;
export type DataSourceLike<T = unknown> = DataSource<T> | DataSourceFn<T>;

class FunctionDataSource<T> extends DataSource<T> {
  constructor(readonly fn: DataSourceFn<T>) {
    super();
  }
  override get name(): string {
    return this.fn.name || 'datasource';
  }
  fetch(ctx: FrozenContext): T | Promise<T> {
    return this.fn(ctx);
  }
}

/** Wraps a function into a {@link DataSource}; returns a DataSource unchanged. */
export function toDataSource<T>(like: DataSourceLike<T>, where = 'datasource'): DataSource<T> {
  if (like instanceof DataSource) return like;
  if (typeof like === 'function') return new FunctionDataSource(like);
  throw new ValidationError(
    `${where}: expected a DataSource or a (ctx) => data function, got ${String(like)}.`,
  );
}

/**
 * Several named data sources fetched together; the step receives `{ name: data, ... }`.
 *
 * @example new ExperimentInput({ train: loadTrain, test: loadTest })
 */
export class ExperimentInput<
  T extends Record<string, unknown> = Record<string, unknown>,
> extends DataSource<T> {
  readonly inputs: { readonly [K in keyof T]: DataSource<T[K]> };

  constructor(inputs: { [K in keyof T]: DataSourceLike<T[K]> }) {
    super();
    const names = Object.keys(inputs);
    if (names.length === 0)
      throw new ValidationError('ExperimentInput needs at least one named input.');
    const out: Record<string, DataSource> = {};
    for (const name of names)
      out[name] = toDataSource(
        inputs[name as keyof T] as DataSourceLike,
        `ExperimentInput '${name}'`,
      );
    this.inputs = out as { [K in keyof T]: DataSource<T[K]> };
    const agreed = (): number | undefined => {
      const counts = names
        .map((n) => [n, out[n]?.replicates] as const)
        .filter((e): e is readonly [string, number] => e[1] !== undefined);
      const distinct = new Set(counts.map(([, c]) => c));
      if (distinct.size > 1) {
        throw new ValidationError(
          `ExperimentInput: inputs disagree on replicates (${counts.map(([n, c]) => `${n}: ${c}`).join(', ')}). ` +
            'Give them the same replicate count.',
        );
      }
      return counts[0]?.[1];
    };
    agreed();
    // Read when asked, like an upstream artifact's count: it follows what the upstream stored.
    Object.defineProperty(this, 'replicates', {
      get: agreed,
      enumerable: true,
      configurable: true,
    });
  }

  async fetch(ctx: FrozenContext): Promise<T> {
    const names = Object.keys(this.inputs);
    const values = await Promise.all(
      names.map((n) => (this.inputs as Record<string, DataSource>)[n]!.fetch(ctx)),
    );
    return Object.fromEntries(names.map((n, i) => [n, values[i]])) as T;
  }
}
