import type { FrozenContext } from '../context/frozen-context.js';
import { CacheError, InjectionError, ValidationError } from '../errors.js';
import { codeFingerprint } from '../hashing/code-fingerprint.js';
import { hashValue } from '../hashing/hash-value.js';
import { freezeCopy } from '../internal/immutable.js';
import {
  checkExplicitTypes,
  resolveParams,
  settleParams,
  type ResolvedParams,
} from './injection.js';
import { getStepModel, type StepModel } from './step-model.js';
import { unpackMetrics, type WithMetrics } from './with-metrics.js';

/** Explicit parameters as given to a step's constructor (checked against `@Param` fields at runtime). */
export type StepParamsInput = Readonly<Record<string, unknown>>;

/** The `@Param`-able data fields of a step type, all optional: what `Step.with()` accepts. */
export type StepParamsOf<S> = Partial<{
  [
    K in keyof S as K extends keyof Step
      ? never
      : S[K] extends (...args: never[]) => unknown
        ? never
        : K
  ]: S[K];
}>;

/** A concrete step class. */
export type StepClass<S extends Step = Step> = new (params?: StepParamsInput) => S;

/** The data a step's entry method may return. */
export type StepOutput<Out> = Out | WithMetrics<Out> | Promise<Out | WithMetrics<Out>>;

// Per-instance framework state lives under a symbol, not a #private field: each call runs the
// entry method on a per-call view (Object.create(step)), and #private fields are not inherited.
const STATE = Symbol('crystallize.step');

/** Coercion targets that can be named across a thread boundary. */
const PRIMITIVE_TYPES: Readonly<Record<string, unknown>> = { Number, String, Boolean, Date };

interface StepState {
  readonly model: StepModel;
  /** Read on every call by the runner: resolved once from the model. */
  readonly name: string;
  readonly cacheable: boolean;
  hash?: string;
}

function stateOf(model: StepModel): StepState {
  return {
    model,
    name: model.options.name ?? model.className,
    cacheable: model.options.cacheable === true,
  };
}

/**
 * Base class of pipeline steps. Subclass it, mark parameters with `@Param()` and the entry
 * method with `@PipelineStep()`.
 *
 * @example
 * class ScaleData extends Step<number[], number[]> {
 *   @Param() factor = 1.0;
 *   @PipelineStep({ cacheable: true })
 *   run(data: number[]) { return data.map((x) => x * this.factor); }
 * }
 * await new ScaleData({ factor: 2 }).call([1, 2], standaloneContext()); // [2, 4]
 */
export abstract class Step<In = unknown, Out = unknown> {
  /** The explicit parameters this instance was built with (hashed into {@link Step.stepHash}). */
  readonly params: StepParamsInput;
  declare readonly [STATE]: StepState;

  constructor(params: StepParamsInput = {}) {
    const model = getStepModel(new.target, Step);
    const unknown = Object.keys(params).filter((k) => !model.params.has(k));
    if (unknown.length > 0) {
      const known = [...model.params.keys()];
      throw new InjectionError(
        `Step '${model.options.name ?? model.className}' got unknown parameter${unknown.length > 1 ? 's' : ''} ` +
          `${unknown.map((k) => `'${k}'`).join(', ')}. Declared @Param fields: ${
            known.length ? known.map((k) => `'${k}'`).join(', ') : '(none)'
          }.`,
      );
    }
    checkExplicitTypes(model.options.name ?? model.className, model.params, params);
    // A deep, frozen copy: changing an object after passing it cannot change the step (or its hash).
    this.params = freezeCopy({ ...params });
    Object.defineProperty(this, STATE, {
      value: stateOf(model),
      enumerable: false,
      configurable: true,
    });
  }

  /**
   * A factory that builds this step with explicit parameters, usable in a Pipeline.
   * @example new Pipeline([ScaleData.with({ factor: 1.5 }), Normalize])
   */
  static with<S extends Step>(this: StepClass<S>, params: StepParamsOf<S>): StepFactory<S> {
    return new StepFactory(this, params as StepParamsInput);
  }

  /** Display and provenance name: `@PipelineStep({ name })` or the class name. */
  get name(): string {
    return this[STATE].name;
  }

  get cacheable(): boolean {
    return this[STATE].cacheable;
  }

  /** Code fingerprint of the step class (and its bases); see `codeFingerprint`. */
  get fingerprint(): string {
    return this[STATE].model.fingerprint ?? codeFingerprint(this.constructor as StepClass, Step);
  }

  /** Hash of class name, version, explicit params and code fingerprint. */
  get stepHash(): string {
    const state = this[STATE];
    if (state.hash === undefined) {
      try {
        state.hash = hashValue({
          step: state.model.className,
          version: state.model.options.version,
          params: this.params,
          code: this.fingerprint,
        });
      } catch (cause) {
        throw new CacheError(
          `Step '${this.name}': cannot hash its parameters. ${(cause as Error).message}`,
          {
            cause,
          },
        );
      }
    }
    return state.hash;
  }

  /**
   * @internal Makes this step identify itself as the same step in another process does: a
   * worker thread adopts the defining process's code fingerprint (a worker may transpile the
   * same source differently, e.g. through a TS loader) and the parameter types it knew from
   * design-time metadata, so cache keys and coercion agree across execution modes.
   */
  adoptIdentity(identity: {
    fingerprint: string;
    paramTypes: Readonly<Record<string, string>>;
  }): void {
    const state = this[STATE];
    const params = new Map(state.model.params);
    for (const [field, typeName] of Object.entries(identity.paramTypes)) {
      const p = params.get(field);
      const type = PRIMITIVE_TYPES[typeName];
      if (p && p.type === undefined && type) params.set(field, { ...p, type });
    }
    Object.defineProperty(this, STATE, {
      value: stateOf({ ...state.model, params, fingerprint: identity.fingerprint }),
      enumerable: false,
      configurable: true,
    });
  }

  /** @internal The identity a worker adopts (see `adoptIdentity`). */
  get identity(): { fingerprint: string; paramTypes: Record<string, string> } {
    const paramTypes: Record<string, string> = {};
    for (const p of this[STATE].model.params.values()) {
      const name = (p.type as { name?: string } | undefined)?.name;
      if (name && PRIMITIVE_TYPES[name]) paramTypes[p.field] = name;
    }
    return { fingerprint: this.fingerprint, paramTypes };
  }

  /** Names of the `@Param` fields this step declares. */
  get paramNames(): string[] {
    return [...this[STATE].model.params.keys()];
  }

  /** Resolves this call's parameter values: explicit > context > default. */
  resolveParams(ctx: FrozenContext): ResolvedParams {
    const model = this[STATE].model;
    // Defaults are the instance's own field values, read in place (no copy per call).
    return resolveParams(
      this.name,
      model.params,
      this.params,
      this as unknown as Readonly<Record<string, unknown>>,
      ctx,
    );
  }

  /**
   * Runs the step with injection — the same entry the pipeline runner uses. Metrics returned via
   * `withMetrics` are recorded in `ctx` and the bare data is returned. Each call runs on its own
   * view of the step, so concurrent calls never see each other's parameter values.
   */
  async call(data: In, ctx: FrozenContext, resolved?: ResolvedParams): Promise<Out> {
    return this.invoke(data, ctx, resolved ?? this.resolveParams(ctx));
  }

  /**
   * @internal What `call` does, without forcing a promise: a synchronous entry method's result
   * comes back as is (the pipeline runner awaits only real promises).
   */
  invoke(data: In, ctx: FrozenContext, params: ResolvedParams): Out | Promise<Out> {
    if (params.pending)
      return settleParams(params).then((values) => runOnView(this, data, ctx, values));
    return runOnView(this, data, ctx, params.values);
  }

  /** Optional: runs once per experiment run before any replicate. */
  setup?(ctx: FrozenContext): void | Promise<void>;
  /** Optional: runs once per experiment run after every replicate. */
  teardown?(ctx: FrozenContext): void | Promise<void>;
}

/** Runs the entry method on a per-call view of `step` that holds this call's parameter values. */
function runOnView<In, Out>(
  step: Step<In, Out>,
  data: In,
  ctx: FrozenContext,
  values: Readonly<Record<string, unknown>>,
): Out | Promise<Out> {
  const view = Object.create(step) as Record<string, unknown>;
  for (const field in values) {
    // Plain assignment shadows the instance's writable field on the view (fast path);
    // defineProperty covers fields the user made read-only.
    try {
      view[field] = values[field];
    } catch {
      Object.defineProperty(view, field, {
        value: values[field],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
  const entry = view[step[STATE].model.entryMethod] as (d: In, c: FrozenContext) => StepOutput<Out>;
  const out = entry.call(view, data, ctx);
  return out instanceof Promise ? out.then((v) => unpackMetrics(v, ctx)) : unpackMetrics(out, ctx);
}

/** A step class plus explicit parameters; `create()` builds a fresh instance. */
export class StepFactory<S extends Step = Step> {
  constructor(
    readonly stepClass: StepClass<S>,
    readonly params: StepParamsInput,
  ) {
    // Build once now so unknown parameters fail where the factory is written, not at run time.
    new stepClass(params);
  }

  create(): S {
    return new this.stepClass(this.params);
  }
}

/** What `pipelineStep(...)` returns: called with no arguments, it builds the step. */
export interface StepBuilder {
  (): Step;
  readonly stepName: string;
}

/** Anything a Pipeline accepts as a step. */
export type StepLike = Step | StepClass | StepFactory | StepBuilder;

function isStepClass(value: unknown): value is StepClass {
  return typeof value === 'function' && value.prototype instanceof Step;
}

/** Turns a step instance, step class or factory into a step instance. */
export function toStep(like: StepLike | unknown, where = 'pipeline'): Step {
  if (like instanceof Step) return like;
  if (like instanceof StepFactory) return like.create();
  if (isStepClass(like)) return new like();
  if (typeof like === 'function' && typeof (like as Partial<StepBuilder>).stepName === 'string') {
    const built: unknown = (like as StepBuilder)();
    if (built instanceof Step) return built;
  }
  const shown =
    typeof like === 'function' ? `function ${like.name || '(anonymous)'}` : String(like);
  throw new ValidationError(
    `${where}: ${shown} is not a step. Give a Step instance, a Step subclass, Step.with({...}) or a pipelineStep() factory's result.`,
  );
}
