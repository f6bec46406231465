import type { FrozenContext } from '../context/frozen-context.js';
import { InjectionError } from '../errors.js';
import { coerceParam } from './coerce-param.js';
import { resourceKey } from './resource-factory.js';
import type { ParamModel } from './step-model.js';

export type ParamSource = 'explicit' | 'context' | 'resource' | 'default';

/** The parameter values one step call uses, and where each came from. */
export interface ResolvedParams {
  readonly values: Readonly<Record<string, unknown>>;
  readonly sources: Readonly<Record<string, ParamSource>>;
  /**
   * The values that identify the call for caching: like `values`, but a resource (built by a
   * factory in the context) stands as `{ resource: key }`, since a client object has no stable
   * value of its own.
   */
  readonly identity: Readonly<Record<string, unknown>>;
  /** True when a resource factory returned a promise still to be awaited. */
  readonly pending: boolean;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Converts a context value to the parameter's type (see coerceParam), or says why it cannot. */
function coerce(value: unknown, param: ParamModel, fallback: unknown, stepName: string): unknown {
  // The common case first, with no object made per call: a number for a number parameter.
  if (
    typeof value === 'number' &&
    (param.type === Number || (param.type === undefined && typeof fallback === 'number'))
  )
    return value;
  const c = coerceParam(value, param, fallback);
  if (c.ok) return c.value;
  throw new InjectionError(
    `Step '${stepName}': context value ${describe(value)} for parameter '${param.field}' (key '${param.key}') ` +
      `cannot be converted to ${c.type}.`,
  );
}

/** How a declared type reads in an error: the TypeScript spelling for primitives. */
function typeName(type: unknown): string {
  const primitive = PRIMITIVE_NAMES.get(type);
  if (primitive) return primitive;
  return (type as { name?: string }).name || 'a class';
}

const PRIMITIVE_NAMES = new Map<unknown, string>([
  [Number, 'number'],
  [String, 'string'],
  [Boolean, 'boolean'],
  [BigInt, 'bigint'],
  [Symbol, 'symbol'],
  [Function, 'function'],
]);

/** What a value is, for an error: `string '1'`, `number 2`, `array`, `Map`, `object`. */
function valueKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object' && value !== null) {
    return isPlainObject(value) ? 'object' : (value.constructor?.name ?? 'object');
  }
  if (typeof value === 'function') return 'function';
  if (typeof value === 'bigint') return `bigint ${value}n`;
  if (typeof value === 'symbol') return 'symbol';
  return `${typeof value} ${describe(value)}`;
}

function isPlainObject(value: object): boolean {
  // Object.prototype of any realm is the one prototype whose own prototype is null.
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Whether an explicit value fits a param's declared type as far as the runtime can tell.
 * `null`/`undefined` always fit (TypeScript's metadata drops them from `number | undefined`);
 * primitives must have that exact type; arrays, dates and functions must be one. A class type
 * takes its instances and plain objects (TypeScript is structural: an object literal of the
 * right shape type-checks), and refuses primitives and instances of another class.
 */
function fitsDeclaredType(value: unknown, type: unknown): boolean {
  if (value === null || value === undefined) return true;
  const primitive = PRIMITIVE_NAMES.get(type);
  if (primitive) return typeof value === primitive;
  if (type === Array) return Array.isArray(value);
  if (type === Date) return Object.prototype.toString.call(value) === '[object Date]';
  if (typeof type !== 'function') return true;
  if (typeof value !== 'object') return false;
  if (value instanceof (type as abstract new (...args: never[]) => unknown)) return true;
  if (isPlainObject(value)) return true;
  // An instance of the same class from another copy of its module (or realm) still fits.
  const name = (type as { name?: string }).name;
  if (!name) return true; // an anonymous class: nothing to compare by
  for (
    let p = Object.getPrototypeOf(value) as object | null;
    p;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    if ((p as { constructor?: { name?: string } }).constructor?.name === name) return true;
  }
  return false;
}

/**
 * Checks explicit parameters against the types their `@Param` fields declare (design-time
 * metadata or `@Param({ type })`), at construction: `new Affine({ shift: '1' })` for a `number`
 * field is an InjectionError naming the step, the field and both types. Params whose type is not
 * known (TC39 decorators without `type`, function steps, `Object`-typed fields) are not checked.
 */
export function checkExplicitTypes(
  stepName: string,
  params: ReadonlyMap<string, ParamModel>,
  explicit: Readonly<Record<string, unknown>>,
): void {
  for (const field of Object.keys(explicit)) {
    const type = params.get(field)?.type;
    if (type === undefined) continue;
    const value = explicit[field];
    if (fitsDeclaredType(value, type)) continue;
    const declared = typeName(type);
    throw new InjectionError(
      `Step '${stepName}': explicit parameter '${field}' is declared as ${declared} but got ${valueKind(value)}. ` +
        `Pass a value of type ${declared} (explicit values are not converted; only context values are), or leave ` +
        `'${field}' out to inject it from the context. Build steps with ${stepName}.with({ ... }) ` +
        'to have the compiler check parameter types.',
    );
  }
}

/**
 * Resolves each declared parameter for one call: explicit > `ctx.get(key)` > default.
 * A function found in the context is a resource factory: it is called with `ctx` and its
 * result injected.
 */
export function resolveParams(
  stepName: string,
  params: ReadonlyMap<string, ParamModel>,
  explicit: Readonly<Record<string, unknown>>,
  defaults: Readonly<Record<string, unknown>>,
  ctx: FrozenContext,
): ResolvedParams {
  const values: Record<string, unknown> = {};
  const sources: Record<string, ParamSource> = {};
  let resources: Record<string, unknown> | undefined;
  let pending = false;
  for (const param of params.values()) {
    const field = param.field;
    let value: unknown;
    if (Object.prototype.hasOwnProperty.call(explicit, field)) {
      value = explicit[field];
      sources[field] = 'explicit';
    } else if (ctx.has(param.key)) {
      const raw = ctx.get(param.key);
      if (typeof raw === 'function') {
        try {
          value = (raw as (c: FrozenContext) => unknown)(ctx);
        } catch (cause) {
          throw new InjectionError(
            `Step '${stepName}': resource factory in context key '${param.key}' for parameter '${field}' threw: ${
              cause instanceof Error ? cause.message : String(cause)
            }`,
            { cause },
          );
        }
        if (value instanceof Promise) pending = true;
        sources[field] = 'resource';
        (resources ??= {})[field] = { resource: resourceKey(raw) ?? param.key };
      } else {
        value = coerce(raw, param, defaults[field], stepName);
        sources[field] = 'context';
      }
    } else if (defaults[field] !== undefined) {
      value = defaults[field];
      sources[field] = 'default';
    } else {
      throw new InjectionError(
        `Step '${stepName}': parameter '${field}' has no default and is not in the context ` +
          `(looked up key '${param.key}'). Pass it explicitly (${stepName}.with({ ${field}: ... })), ` +
          `add '${param.key}' to the context, or give the field a default.`,
      );
    }
    values[field] = value;
  }
  // Without resources the identity is the values themselves: no copy on the hot path.
  return { values, sources, identity: resources ? { ...values, ...resources } : values, pending };
}

/** Awaits resources whose factories returned promises. */
export async function settleParams(resolved: ResolvedParams): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resolved.values)) out[k] = await v;
  return out;
}
