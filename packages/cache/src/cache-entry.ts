import type { ArtifactEntry, MetricTags, MetricValue } from '@crystallize/core';

/** One `ctx.metrics.add(name, value, tags)` call a step made, kept so a hit can replay it. */
export interface CachedMetric {
  readonly name: string;
  readonly value: MetricValue;
  readonly tags?: MetricTags;
}

/**
 * What the store keeps for one step call: its output plus the metrics and artifacts the step
 * recorded, in recording order, so that a cache hit restores them exactly as a miss would.
 *
 * @example
 * await store.set(stepHash, inputHash, { output, metrics: [{ name: 'sum', value: 9 }], artifacts: [] });
 */
export interface CacheEntry<T = unknown> {
  readonly output: T;
  readonly metrics: readonly CachedMetric[];
  readonly artifacts: readonly ArtifactEntry[];
  /** Context keys the step added, with their values (restored on a hit). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** `hashValue(output)`, kept so that a hit need not hash a large output again. */
  readonly outputHash?: string;
}
