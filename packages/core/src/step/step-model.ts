import { StepDefinitionError } from '../errors.js';
import {
  designType,
  ownDeclarations,
  type PipelineStepOptions,
  type TypeHint,
} from '../internal/metadata.js';

export interface ParamModel {
  readonly field: string;
  /** Context key the value is read from. */
  readonly key: string;
  /** Declared type used to coerce context values (undefined: infer from the default). */
  readonly type: unknown;
}

/** A step class's declarations, validated and linked once, then reused for every instance. */
export interface StepModel {
  readonly className: string;
  readonly entryMethod: string;
  readonly options: PipelineStepOptions;
  readonly params: ReadonlyMap<string, ParamModel>;
  /** Set for steps built in code (function steps), whose class source says nothing. */
  readonly fingerprint?: string;
}

const models = new WeakMap<object, StepModel>();

function usableType(t: unknown): unknown {
  // `design:type` is Object for unannotated or complex fields: no information.
  return typeof t === 'function' && t !== Object ? t : undefined;
}

/**
 * Reads the raw decorator declarations of `cls` and its bases (up to `base`) into a
 * {@link StepModel}. Throws {@link StepDefinitionError} naming the class when it has no
 * `@PipelineStep()` method.
 */
export function getStepModel(
  cls: abstract new (...args: never[]) => unknown,
  base: object,
): StepModel {
  const cached = models.get(cls);
  if (cached) return cached;
  let entry: { method: string; options: PipelineStepOptions } | undefined;
  const params = new Map<string, ParamModel>();
  const chain: (typeof cls)[] = [];
  for (let c: unknown = cls; typeof c === 'function' && c !== base; c = Object.getPrototypeOf(c)) {
    chain.push(c as typeof cls);
  }
  for (const c of chain) {
    const own = ownDeclarations(c);
    entry ??= own.entries[0];
  }
  // Parents first so a subclass re-declaring a field wins.
  for (const c of [...chain].reverse()) {
    for (const p of ownDeclarations(c).params) {
      params.set(p.field, {
        field: p.field,
        key: p.options.key ?? p.field,
        type:
          usableType(p.options.type) ?? usableType(designType(c as { prototype: object }, p.field)),
      });
    }
  }
  if (!entry) {
    throw new StepDefinitionError(
      `Step class '${cls.name}' has no method decorated with @PipelineStep(). ` +
        'Mark the method that processes data, e.g. `@PipelineStep() run(data, ctx) { ... }`.',
    );
  }
  const method = (cls.prototype as Record<string, unknown>)[entry.method];
  if (typeof method !== 'function') {
    throw new StepDefinitionError(
      `Step class '${cls.name}': @PipelineStep() target '${entry.method}' is not a method.`,
    );
  }
  const model: StepModel = Object.freeze({
    className: cls.name,
    entryMethod: entry.method,
    options: Object.freeze({ ...entry.options }),
    params,
  });
  models.set(cls, model);
  return model;
}

/** Registers a model built in code rather than by decorators (function steps). */
export function defineStepModel(cls: object, model: StepModel): void {
  models.set(cls, Object.freeze(model));
}

export type { TypeHint };
