import { createRequire } from 'node:module';
import type * as ClassTransformer from 'class-transformer';
import type { ParamModel } from './step-model.js';

let classTransformer: typeof ClassTransformer | undefined;

/**
 * class-transformer, loaded the first time a parameter needs converting (a string to a number or
 * date, a plain object to a class) rather than at import: it is ~15 ms of a fresh process's start.
 */
export function loadClassTransformer(): typeof ClassTransformer {
  return (classTransformer ??= createRequire(import.meta.url)(
    'class-transformer',
  ) as typeof ClassTransformer);
}

function plainToInstance<T>(cls: new (...args: never[]) => T, plain: unknown): T {
  return loadClassTransformer().plainToInstance(cls as new () => T, plain as object) as T;
}

const ok = (value: unknown): CoercedParam => ({ ok: true, value });

/*
 * One conversion of a loose value (a context value, a YAML value, a command-line string) to a
 * `@Param`'s type, shared by injection (context values) and @crystallize/config (YAML step
 * parameters), so `"2.5"` means the same number wherever it is written.
 */

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A converted value, or what the parameter expected when the value cannot be converted. */
export type CoercedParam =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      /** What the value should have been, for a message: `a number`, `true or false`. */
      readonly expected: string;
      /** The name of the type it was converted to: `Number`, `Boolean`, `Date`. */
      readonly type: string;
    };

/** The type a parameter converts to: its declared type, else the type of its default. */
function targetType(param: ParamModel, fallback: unknown): unknown {
  if (param.type !== undefined) return param.type;
  if (typeof fallback === 'number') return Number;
  if (typeof fallback === 'boolean') return Boolean;
  if (typeof fallback === 'string') return String;
  if (fallback instanceof Date) return Date;
  return undefined;
}

/**
 * Converts `value` to the type of `param` (declared with `@Param({ type })` or design-time
 * metadata, else inferred from the field's default `fallback`): numeric strings to numbers,
 * `true/false/yes/no/on/off/1/0` to booleans (not `Boolean('false')`), numbers to strings, ISO
 * strings to Dates, plain objects to instances of a declared class. `null`/`undefined` and
 * values of untyped parameters pass unchanged.
 *
 * @example
 * coerceParam('2.5', { field: 'factor', key: 'factor', type: Number }, 1); // { ok: true, value: 2.5 }
 */
export function coerceParam(value: unknown, param: ParamModel, fallback: unknown): CoercedParam {
  const target = targetType(param, fallback);
  if (target === undefined || value === null || value === undefined) return ok(value);
  if (target === Number) {
    if (typeof value === 'number') return ok(value);
    const fail: CoercedParam = { ok: false, expected: 'a number', type: 'Number' };
    if (typeof value !== 'string' || value.trim() === '') return fail;
    const n = plainToInstance(Number, value) as unknown as number;
    return Number.isNaN(n) && value.trim() !== 'NaN' ? fail : ok(n);
  }
  if (target === Boolean) {
    if (typeof value === 'boolean') return ok(value);
    const s = String(value).trim().toLowerCase();
    return TRUE.has(s)
      ? ok(true)
      : FALSE.has(s)
        ? ok(false)
        : { ok: false, expected: 'true or false', type: 'Boolean' };
  }
  if (target === String) {
    return typeof value === 'string'
      ? ok(value)
      : typeof value === 'number' || typeof value === 'bigint'
        ? ok(String(value))
        : { ok: false, expected: 'a string', type: 'String' };
  }
  if (target === Date) {
    if (value instanceof Date) return ok(value);
    const d = plainToInstance(Date, value as string) as unknown as Date;
    return Number.isNaN(d.getTime()) ? { ok: false, expected: 'a date', type: 'Date' } : ok(d);
  }
  if (target === Array || target === Object || target === Function) return ok(value);
  if (
    typeof target === 'function' &&
    typeof value === 'object' &&
    !(value instanceof (target as new () => object)) &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return ok(plainToInstance(target as new () => object, value as object));
  }
  return ok(value);
}
