import 'reflect-metadata';
import { StepDefinitionError } from '../errors.js';

/*
 * The one place that knows how decorators store what they declare (NestJS/TypeORM habit:
 * decorators only write raw declarations here; `step-model.ts` reads and validates them).
 *
 * Two decorator dialects reach us:
 * - legacy (`experimentalDecorators`): we get the prototype, so declarations are keyed by class;
 * - standard TC39: we get a `context.metadata` object that becomes `Class[Symbol.metadata]`,
 *   so declarations are keyed by that object.
 */

// Node 20 has no Symbol.metadata; without it TypeScript passes `context.metadata = undefined`.
// Defining it here — before any user class is evaluated, since users import the decorators
// from this package — makes standard decorators carry metadata.
if (typeof (Symbol as { metadata?: symbol }).metadata !== 'symbol') {
  Object.defineProperty(Symbol, 'metadata', { value: Symbol.for('Symbol.metadata') });
}
export const METADATA_SYMBOL: symbol = (Symbol as unknown as { metadata: symbol }).metadata;

/** What `@PipelineStep(...)` accepts. */
export interface PipelineStepOptions {
  /** Memoise this step's output on disk (default false). */
  readonly cacheable?: boolean;
  /** Display and provenance name (default: the class name). */
  readonly name?: string;
  /** Bump to invalidate cached outputs when code the step calls (not its own) changed. */
  readonly version?: string | number;
}

/** A constructor usable as a coercion target for a parameter. */
export type TypeHint = abstract new (...args: never[]) => unknown;

/** What `@Param(...)` accepts. */
export interface ParamOptions {
  /** Context key to read instead of the field name. */
  readonly key?: string;
  /** Target type for coercion of context values, where design-time metadata is absent. */
  readonly type?:
    TypeHint | NumberConstructor | StringConstructor | BooleanConstructor | DateConstructor;
}

export interface EntryDeclaration {
  readonly method: string;
  readonly options: PipelineStepOptions;
}

export interface ParamDeclaration {
  readonly field: string;
  readonly options: ParamOptions;
}

export interface ClassDeclarations {
  entries: EntryDeclaration[];
  params: ParamDeclaration[];
}

const byClass = new WeakMap<object, ClassDeclarations>();
const byMetadata = new WeakMap<object, ClassDeclarations>();

function declarationsFor(
  store: WeakMap<object, ClassDeclarations>,
  key: object,
): ClassDeclarations {
  let decl = store.get(key);
  if (!decl) {
    decl = { entries: [], params: [] };
    store.set(key, decl);
  }
  return decl;
}

/** Where a decorator ran: a class (legacy) or a standard decorator's metadata object. */
export type DeclarationOwner = { readonly cls: object } | { readonly metadata: object };

function ownerStore(owner: DeclarationOwner): ClassDeclarations {
  return 'cls' in owner
    ? declarationsFor(byClass, owner.cls)
    : declarationsFor(byMetadata, owner.metadata);
}

/** The owner of a standard decorator's declarations: its class's metadata object. */
export function metadataOwner(context: {
  readonly metadata?: object | undefined;
  readonly name: unknown;
}): DeclarationOwner {
  if (!context.metadata) {
    throw new StepDefinitionError(
      `Decorator on '${String(context.name)}' got no metadata object. Import 'crystallize' (or '@crystallize/core') ` +
        'before defining step classes so Symbol.metadata exists.',
    );
  }
  return { metadata: context.metadata };
}

export function declareEntry(
  owner: DeclarationOwner,
  entry: EntryDeclaration,
  className?: string,
): void {
  const decl = ownerStore(owner);
  const first = decl.entries[0];
  if (first && first.method !== entry.method) {
    throw new StepDefinitionError(
      `${className ? `Step class '${className}'` : 'A step class'}: @PipelineStep() is on both '${first.method}' and '${entry.method}'. ` +
        'A step has exactly one entry method; remove the decorator from one of them.',
    );
  }
  if (!first) decl.entries.push(entry);
}

export function declareParam(owner: DeclarationOwner, param: ParamDeclaration): void {
  const decl = ownerStore(owner);
  decl.params = decl.params.filter((p) => p.field !== param.field);
  decl.params.push(param);
}

/** The declarations made on `cls` itself (not inherited), from either decorator dialect. */
export function ownDeclarations(cls: object): ClassDeclarations {
  const legacy = byClass.get(cls);
  const meta = Object.prototype.hasOwnProperty.call(cls, METADATA_SYMBOL)
    ? ((cls as Record<symbol, object | undefined>)[METADATA_SYMBOL] ?? undefined)
    : undefined;
  const standard = meta ? byMetadata.get(meta) : undefined;
  return {
    entries: [...(legacy?.entries ?? []), ...(standard?.entries ?? [])],
    params: [...(legacy?.params ?? []), ...(standard?.params ?? [])],
  };
}

/** The `design:type` TypeScript emitted for a field, when compiled with emitDecoratorMetadata. */
export function designType(cls: { prototype: object }, field: string): unknown {
  return Reflect.getMetadata('design:type', cls.prototype, field);
}
