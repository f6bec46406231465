import type { FrozenContext } from '../context/frozen-context.js';
import type { MetricValue } from '../context/metrics.js';

const WITH_METRICS = Symbol.for('crystallize.withMetrics');

/** A step's output bundled with metrics to record; the pipeline passes `data` on. */
export interface WithMetrics<T> {
  readonly [WITH_METRICS]: true;
  readonly data: T;
  readonly metrics: Readonly<Record<string, MetricValue>>;
}

/**
 * Return data and record metrics in one go.
 *
 * @example
 * @PipelineStep() run(xs: number[]) {
 *   return withMetrics(xs, { total: xs.reduce((a, b) => a + b, 0) });
 * }
 */
export function withMetrics<T>(
  data: T,
  metrics: Readonly<Record<string, MetricValue>>,
): WithMetrics<T> {
  return { [WITH_METRICS]: true, data, metrics };
}

export function isWithMetrics(value: unknown): value is WithMetrics<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[WITH_METRICS] === true
  );
}

/** Records the bundled metrics in `ctx` and returns the bare data. */
export function unpackMetrics<T>(value: T | WithMetrics<T>, ctx: FrozenContext): T {
  if (!isWithMetrics(value)) return value as T;
  for (const [name, metric] of Object.entries(value.metrics)) ctx.metrics.add(name, metric);
  return value.data as T;
}
