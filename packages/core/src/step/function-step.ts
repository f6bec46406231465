import type { FrozenContext } from '../context/frozen-context.js';
import { StepDefinitionError } from '../errors.js';
import { defineFunctionCode } from '../hashing/code-fingerprint.js';
import { Step, type StepOutput } from './step.js';
import { defineStepModel, type ParamModel } from './step-model.js';
import { clashingMembers } from './step-members.js';

export interface FunctionStepOptions<P extends Record<string, unknown>> {
  readonly cacheable?: boolean;
  /** Injectable parameters and their defaults (`undefined` = required). */
  readonly params?: P;
  readonly name?: string;
  readonly version?: string | number;
}

/** Builds instances of a function step; `add()` or `add({ delta: 1 })`. */
export interface FunctionStepFactory<In, Out, P extends Record<string, unknown>> {
  (params?: Partial<P>): Step<In, Out>;
  readonly stepName: string;
}

/**
 * A step from a plain function, for small cases. Parameters follow the same injection rules as
 * `@Param` fields (explicit > context > default) and arrive as the third argument.
 *
 * @example
 * const add = pipelineStep({ params: { delta: 1 } }, (xs: number[], _ctx, { delta }) => xs.map((x) => x + delta));
 * new Pipeline([add(), add({ delta: 2 })]);
 */
export function pipelineStep<In, Out, P extends Record<string, unknown> = Record<never, never>>(
  options: FunctionStepOptions<P>,
  fn: (data: In, ctx: FrozenContext, params: Readonly<P>) => StepOutput<Out>,
): FunctionStepFactory<In, Out, P> {
  const name = options.name ?? (fn.name || 'functionStep');
  const defaults = { ...(options.params ?? {}) } as Record<string, unknown>;
  const fields = Object.keys(defaults);
  // The step's own members (derived from Step) and its entry method `run`.
  const clash = clashingMembers(fields, ['run']);
  if (clash.length) {
    throw new StepDefinitionError(
      `pipelineStep '${name}': parameter name(s) ${clash.join(', ')} clash with Step members; rename them.`,
    );
  }

  class FunctionStep extends Step<In, Out> {
    constructor(params: Readonly<Record<string, unknown>> = {}) {
      super(params);
      for (const f of fields) (this as unknown as Record<string, unknown>)[f] = defaults[f];
    }
    run(data: In, ctx: FrozenContext): StepOutput<Out> {
      const p: Record<string, unknown> = {};
      for (const f of fields) p[f] = (this as unknown as Record<string, unknown>)[f];
      return fn(data, ctx, p as P);
    }
  }
  Object.defineProperty(FunctionStep, 'name', { value: name });
  const params = new Map<string, ParamModel>(
    fields.map((f) => [f, { field: f, key: f, type: undefined }]),
  );
  defineStepModel(FunctionStep, {
    className: name,
    entryMethod: 'run',
    options: {
      cacheable: options.cacheable === true,
      name,
      ...(options.version !== undefined ? { version: options.version } : {}),
    },
    params,
  });
  // Fingerprinted as `fn` plus the module-level code it reads in the caller's file.
  defineFunctionCode(FunctionStep, fn as (...args: never[]) => unknown, name);

  const factory = ((explicit?: Partial<P>) =>
    new FunctionStep(explicit ?? {})) as unknown as FunctionStepFactory<In, Out, P>;
  Object.defineProperty(factory, 'stepName', { value: name });
  return factory;
}
