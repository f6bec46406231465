import type { FrozenContext } from '../context/frozen-context.js';

const RESOURCE = Symbol.for('crystallize.resourceFactory');

/** A context value that builds a resource (a client, a model) instead of being injected as is. */
export interface ResourceFactory<T> {
  (ctx: FrozenContext): T;
  readonly [RESOURCE]: { readonly key: string };
}

// Module state is per worker thread, so this is "one instance per worker".
const instances = new Map<string, unknown>();

/**
 * Wraps `fn` so the resource it builds is created once per worker (thread or process) and
 * shared by every step call there, keyed by `key`.
 *
 * @example
 * new Experiment({ initialCtx: { db: resourceFactory(() => connect(url), { key: 'db' }) }, ... })
 */
export function resourceFactory<T>(
  fn: (ctx: FrozenContext) => T,
  options: { key: string },
): ResourceFactory<T> {
  const wrapped = ((ctx: FrozenContext): T => {
    if (!instances.has(options.key)) instances.set(options.key, fn(ctx));
    return instances.get(options.key) as T;
  }) as ResourceFactory<T>;
  Object.defineProperty(wrapped, RESOURCE, { value: Object.freeze({ key: options.key }) });
  return wrapped;
}

export function resourceKey(value: unknown): string | undefined {
  return typeof value === 'function'
    ? (value as Partial<ResourceFactory<unknown>>)[RESOURCE]?.key
    : undefined;
}

/** Forgets cached resources (for tests and for a worker's teardown). */
export function clearResources(): void {
  instances.clear();
}
