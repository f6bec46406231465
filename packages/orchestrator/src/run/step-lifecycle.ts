import { FrozenContext, type Logger, type Step } from '@crystallize/core';

/**
 * Runs `body` between the steps' `setup` and `teardown` (once per run, on one context built from
 * the initial context). Every step whose `setup` completed gets its `teardown`, in reverse order,
 * even when a later `setup`, the body or another `teardown` throws; a step whose own `setup`
 * threw is not torn down (it never finished acquiring anything). The first failure wins and
 * propagates as thrown (the user's own error); a log line names the step. A teardown error after
 * an earlier failure is logged, not thrown over the original.
 */
export async function withStepLifecycle<T>(
  steps: readonly Step[],
  initialCtx: Readonly<Record<string, unknown>>,
  logger: Logger,
  body: () => Promise<T>,
): Promise<T> {
  const ctx = new FrozenContext({ ...initialCtx }, { logger });
  const ready: Step[] = [];
  let failure: { error: unknown } | undefined;
  let value: T | undefined;
  try {
    for (const step of steps) {
      try {
        await step.setup?.(ctx);
      } catch (error) {
        logger.error({ err: error, step: step.name }, `step '${step.name}': setup failed`);
        throw error;
      }
      ready.push(step);
    }
    value = await body();
  } catch (error) {
    failure = { error };
  }
  for (const step of ready.reverse()) {
    try {
      await step.teardown?.(ctx);
    } catch (error) {
      logger.error({ err: error, step: step.name }, `step '${step.name}': teardown failed`);
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
  return value as T;
}
