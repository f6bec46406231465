import { recordDefinitionSite } from '../hashing/definition-site.js';
import { declareEntry, metadataOwner, type PipelineStepOptions } from '../internal/metadata.js';

export type { PipelineStepOptions };

/** Accepted by both decorator dialects: legacy (experimentalDecorators) and standard TC39. */
export interface StepMethodDecorator {
  (target: object, propertyKey: string | symbol, descriptor?: PropertyDescriptor): void;
  (value: (...args: never[]) => unknown, context: ClassMethodDecoratorContext): void;
}

/**
 * Marks the one method of a {@link Step} class that processes data. It receives `(data, ctx)`
 * and may be async.
 *
 * @example
 * class ScaleData extends Step<number[], number[]> {
 *   @Param() factor = 1.0;
 *   @PipelineStep({ cacheable: true })
 *   run(data: number[]) { return data.map((x) => x * this.factor); }
 * }
 */
export function PipelineStep(options?: PipelineStepOptions | boolean): StepMethodDecorator {
  const opts: PipelineStepOptions =
    typeof options === 'boolean' ? { cacheable: options } : { ...(options ?? {}) };
  function decorate(a: unknown, b: unknown): void {
    if (typeof b === 'object' && b !== null && 'kind' in b) {
      const context = b as ClassMethodDecoratorContext;
      if (context.static || context.private || typeof context.name !== 'string') {
        throw new TypeError(
          '@PipelineStep() belongs on a public instance method with a string name.',
        );
      }
      const owner = metadataOwner(context);
      declareEntry(owner, { method: context.name, options: opts });
      // The class body is being evaluated in its module: the code fingerprint reads it there.
      if ('metadata' in owner) recordDefinitionSite(owner.metadata);
      return;
    }
    const target = a as { constructor: { name: string } };
    if (typeof b !== 'string')
      throw new TypeError('@PipelineStep() needs a method with a string name.');
    declareEntry(
      { cls: target.constructor },
      { method: b, options: opts },
      target.constructor.name,
    );
    recordDefinitionSite(target.constructor);
  }
  return decorate as StepMethodDecorator;
}
