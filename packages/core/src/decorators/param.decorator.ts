import { recordDefinitionSite } from '../hashing/definition-site.js';
import { StepDefinitionError } from '../errors.js';
import { declareParam, metadataOwner, type ParamOptions } from '../internal/metadata.js';
import { stepMemberNames } from '../step/step-members.js';

export type { ParamOptions };

/** Accepted by both decorator dialects: legacy (experimentalDecorators) and standard TC39. */
export interface ParamFieldDecorator {
  (target: object, propertyKey: string | symbol): void;
  (value: undefined, context: ClassFieldDecoratorContext): void;
}

/**
 * Marks a field of a {@link Step} as an injectable parameter. Each call resolves it as:
 * explicit value (constructor or `Step.with`) > `ctx.get(key)` > the field's default.
 * Context values are coerced to the field's type (design-time metadata, `opts.type`, or the
 * default's type), so `"2.5"` from YAML or the CLI becomes `2.5` for a number.
 *
 * @example
 * class Train extends Step<Data, Model> {
 *   @Param() epochs = 10;
 *   @Param({ key: 'learning_rate' }) lr = 0.01;
 *   @PipelineStep() run(data: Data) { ... this.epochs ... }
 * }
 */
export function Param(options: ParamOptions = {}): ParamFieldDecorator {
  const opts: ParamOptions = { ...options };
  function decorate(a: unknown, b: unknown): void {
    if (typeof b === 'object' && b !== null && 'kind' in b) {
      const context = b as ClassFieldDecoratorContext;
      if (context.static || context.private || typeof context.name !== 'string') {
        throw new TypeError('@Param() belongs on a public instance field with a string name.');
      }
      assertNotStepMember(context.name);
      const owner = metadataOwner(context);
      declareParam(owner, { field: context.name, options: opts });
      // Where the class is declared, for its code fingerprint (as @PipelineStep records it).
      if ('metadata' in owner) recordDefinitionSite(owner.metadata);
      return;
    }
    if (typeof b !== 'string') throw new TypeError('@Param() needs a field with a string name.');
    const cls = (a as { constructor: { name: string } }).constructor;
    assertNotStepMember(b, cls.name);
    declareParam({ cls }, { field: b, options: opts });
    recordDefinitionSite(cls);
  }
  return decorate as ParamFieldDecorator;
}

/** A `@Param` field named like a Step member would shadow it (`name`, `params`, `invoke`...). */
function assertNotStepMember(field: string, className?: string): void {
  if (!stepMemberNames().has(field)) return;
  throw new StepDefinitionError(
    `@Param() '${field}'${className ? ` on step ${className}` : ''} has the name of a Step member ` +
      `(Step.${field}) and would shadow it. Rename the field (e.g. '${field}Value'); to keep reading ` +
      `context key '${field}', declare it as @Param({ key: '${field}' }).`,
  );
}
