import { toStep } from '@crystallize/core/internal';
import {
  rootLogger,
  standaloneContext,
  type FrozenContext,
  type Step,
  type StepClass,
  type StepFactory,
} from '@crystallize/core';
import { seedMathRandom } from '@crystallize/orchestrator';

/** A step given to {@link runStep}: an instance, a class, or `Step.with({...})`. */
export type TestableStep<In, Out> =
  Step<In, Out> | StepClass<Step<In, Out>> | StepFactory<Step<In, Out>>;

export interface RunStepOptions {
  /** Seeds `ctx.rng` (as `seed_used`) and `Math.random` for the call (default 0). */
  readonly seed?: number;
  /** Keep the step's logs (default: silent). */
  readonly logs?: boolean;
}

/** What one call of a step produced. */
export interface StepRun<Out> {
  /** The step's return value (metrics of `withMetrics(...)` unwrapped). */
  readonly output: Out;
  /** Metrics the step recorded, `{ name: values[] }`. */
  readonly metrics: Record<string, unknown[]>;
  /** The context the step ran with (for `ctx.get` of keys it added, artifacts, tags). */
  readonly ctx: FrozenContext;
}

/**
 * Runs one step the way the pipeline does (`step.call` with parameter injection) in a fresh
 * context holding `ctxValues`, with quiet logs and a fixed seed for `ctx.rng` and `Math.random`.
 *
 * @example
 * const { output, metrics } = await runStep(new Clip(), [1, 2, 3, 4], { clip_max: 2 });
 * expect(output).toEqual([1, 2]);
 * expect(metrics.clipped).toEqual([2]);
 */
export async function runStep<In, Out>(
  step: TestableStep<In, Out>,
  data: In,
  ctxValues: Readonly<Record<string, unknown>> = {},
  options: RunStepOptions = {},
): Promise<StepRun<Out>> {
  const instance = toStep(step, 'runStep') as Step<In, Out>;
  const seed = options.seed ?? 0;
  const logger = options.logs ? rootLogger() : rootLogger().child({}, { level: 'silent' });
  const ctx = standaloneContext({ seed_used: seed, ...ctxValues }, { logger });
  const random = Math.random;
  seedMathRandom(seed);
  try {
    const output = await instance.call(data, ctx);
    return { output, metrics: ctx.metrics.toObject(), ctx };
  } finally {
    Math.random = random;
  }
}
