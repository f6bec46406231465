import { Step } from './step.js';
import { defineStepModel } from './step-model.js';

let members: ReadonlySet<string> | undefined;

/** Optional hooks `Step` declares but does not implement (so they are not on its prototype). */
const OPTIONAL_HOOKS = ['setup', 'teardown'] as const;

/**
 * The names a step instance already answers to — `Step`'s own fields, getters and methods
 * (`name`, `params`, `stepHash`, `invoke`, `resolveParams`, ...) — derived from the class, so a
 * member added to `Step` is reserved without anyone keeping a list. A `@Param` field or a
 * function step's parameter with such a name would shadow the member and break the step.
 */
export function stepMemberNames(): ReadonlySet<string> {
  if (members) return members;
  // Instance fields (set by the constructor) are seen on an instance of a bare subclass.
  class Probe extends Step {
    run(data: unknown): unknown {
      return data;
    }
  }
  defineStepModel(Probe, {
    className: 'Probe',
    entryMethod: 'run',
    options: { cacheable: false },
    params: new Map(),
  });
  const names = new Set<string>([...Object.getOwnPropertyNames(new Probe()), ...OPTIONAL_HOOKS]);
  for (
    let proto: object | null = Step.prototype;
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(proto))
      if (name !== 'constructor') names.add(name);
  }
  members = names;
  return names;
}

/** The names a parameter may not take on a step whose class has `extra` members too. */
export function clashingMembers(
  fields: readonly string[],
  extra: readonly string[] = [],
): string[] {
  const reserved = stepMemberNames();
  return fields.filter((f) => reserved.has(f) || extra.includes(f));
}
