import { Step, StepFactory, type StepLike } from '@crystallize/core';
import { coerceParam, getStepModel, toStep, type ParamModel } from '@crystallize/core/internal';
import type { Artifact } from '@crystallize/orchestrator';
import type { NamedWithParams } from '../schema/config.schema.js';
import { describeValue } from '../schema/parse-config.js';
import { didYouMean, listNames } from '../internal/did-you-mean.js';
import { lookup, splitNamed, type BuildScope } from './lookup.js';

function isStepLike(v: unknown): v is StepLike {
  return (
    v instanceof Step ||
    v instanceof StepFactory ||
    (typeof v === 'function' &&
      (v.prototype instanceof Step || typeof (v as { stepName?: unknown }).stepName === 'string'))
  );
}

/**
 * A YAML value for a `@Param`, converted exactly as a context value is (core's coerceParam:
 * `"2.5"` for a number becomes 2.5); a message when it cannot be.
 */
function coerce(
  value: unknown,
  param: ParamModel,
  fallback: unknown,
): { value: unknown } | { error: string } {
  const c = coerceParam(value, param, fallback);
  return c.ok
    ? { value: c.value }
    : { error: `expected ${c.expected}, got ${describeValue(value)}` };
}

function build(like: StepLike, explicit: Readonly<Record<string, unknown>>): Step {
  if (like instanceof Step) {
    const cls = like.constructor as new (p: Record<string, unknown>) => Step;
    return new cls({ ...like.params, ...explicit });
  }
  if (like instanceof StepFactory) return new like.stepClass({ ...like.params, ...explicit });
  if (typeof like === 'function' && like.prototype instanceof Step) {
    return new (like as new (p: Record<string, unknown>) => Step)(explicit);
  }
  return toStep((like as (p: Record<string, unknown>) => Step)(explicit));
}

/**
 * The pipeline's steps from `steps:`. Params are checked against the step's `@Param`s, coerced,
 * and an output alias (named as a param's value, or equal to a param's field name) becomes that
 * output's `Artifact`. Returns the steps and the aliases some step writes.
 */
export function buildSteps(
  scope: BuildScope,
  entries: readonly NamedWithParams[],
  outputs: ReadonlyMap<string, Artifact>,
): { steps: Step[]; written: Set<string> } {
  const steps: Step[] = [];
  const written = new Set<string>();
  entries.forEach((entry, i) => {
    const [name, params, withParams] = splitNamed(entry);
    const path = withParams ? ['steps', i, name] : ['steps', i];
    const like = lookup(scope, name, withParams ? [...path] : path, {
      kind: 'steps',
      what: 'step',
      expected: 'a Step subclass, Step.with({...}) or a pipelineStep(...) factory',
      accept: isStepLike,
    });
    if (!like) return;
    let probe: Step;
    try {
      probe = build(like, {});
    } catch (e) {
      scope.issues.push(
        scope.source.issue(path, `step '${name}' cannot be built: ${(e as Error).message}`),
      );
      return;
    }
    const model = getStepModel(probe.constructor as new () => Step, Step).params;
    const explicit: Record<string, unknown> = {};
    let ok = true;
    for (const [key, value] of Object.entries(params)) {
      const param = model.get(key);
      if (!param) {
        ok = false;
        scope.issues.push(
          scope.source.issue(
            [...path, key],
            `step '${name}' has no parameter '${key}'.${didYouMean(key, model.keys())} Its @Param fields: ${listNames(model.keys())}.`,
            true,
          ),
        );
        continue;
      }
      if (typeof value === 'string' && outputs.has(value)) {
        explicit[key] = outputs.get(value);
        written.add(value);
        continue;
      }
      const c = coerce(value, param, (probe as unknown as Record<string, unknown>)[key]);
      if ('error' in c) {
        ok = false;
        scope.issues.push(
          scope.source.issue([...path, key], `${c.error} (parameter '${key}' of step '${name}')`),
        );
      } else explicit[key] = c.value;
    }
    for (const field of model.keys()) {
      if (!(field in explicit) && outputs.has(field)) {
        explicit[field] = outputs.get(field);
        written.add(field);
      }
    }
    if (!ok) return;
    try {
      steps.push(build(like, explicit));
    } catch (e) {
      scope.issues.push(
        scope.source.issue(path, `step '${name}' cannot be built: ${(e as Error).message}`),
      );
    }
  });
  return { steps, written };
}
