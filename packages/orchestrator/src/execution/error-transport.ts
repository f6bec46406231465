import * as core from '@crystallize/core';
import { TRANSPORTED_ERROR_MARK, type TransportedError } from '../model/outcome.js';

/*
 * Errors crossing a thread (or, later, a process) boundary. Structured cloning keeps only the
 * built-in error classes and drops own properties, so an error is sent as plain data — its class
 * chain, name, message, stack, cause and own enumerable properties — and rebuilt on the other
 * side as an instance of its real class when that class is known there (Crystallize's own errors
 * and the built-in ones), else of its nearest known ancestor, with the original name kept.
 * Internal: not exported from the package.
 */

const MARK = TRANSPORTED_ERROR_MARK;

export type { TransportedError };

function isTransported(value: unknown): value is TransportedError {
  return (
    typeof value === 'object' && value !== null && (value as Record<string, unknown>)[MARK] === 1
  );
}

const BUILTINS: readonly (new (...args: never[]) => Error)[] = [
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
];

type ErrorClass = abstract new (...args: never[]) => Error;

/** The error classes a receiving side can rebuild by name. */
function knownClasses(): ReadonlyMap<string, ErrorClass> {
  const known = new Map<string, ErrorClass>();
  for (const c of BUILTINS) known.set(c.name, c);
  for (const value of Object.values(core)) {
    if (typeof value === 'function' && value.prototype instanceof Error)
      known.set(value.name, value as unknown as ErrorClass);
  }
  for (const c of registered) known.set(c.name, c);
  return known;
}

let known: ReadonlyMap<string, ErrorClass> | undefined;

/** Error classes of higher layers (the graph's) that registered to be rebuilt by name. */
const registered: ErrorClass[] = [];

/**
 * Lets an error class defined above this module (`ExperimentGraphError`) be rebuilt with its
 * class on the receiving side, without this module importing it.
 */
export function registerTransportableError(cls: ErrorClass): void {
  registered.push(cls);
  known = undefined;
}

/** A value made safe to send: errors encoded, the rest structured-cloned or described. */
function sendValue(value: unknown, depth: number): unknown {
  if (value instanceof Error) return depth > 8 ? String(value) : encode(value, depth + 1);
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (Array.isArray(value)) return value.map((v) => sendValue(v, depth + 1));
  try {
    return structuredClone(value);
  } catch {
    if (typeof value === 'object' && value !== null && depth <= 8) {
      const proto = Object.getPrototypeOf(value) as object | null;
      if (proto === Object.prototype || proto === null) {
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, sendValue(v, depth + 1)]),
        );
      }
    }
    return `[unsendable ${Object.prototype.toString.call(value)}]`;
  }
}

function encode(error: Error, depth: number): TransportedError {
  const classes: string[] = [];
  for (
    let p = Object.getPrototypeOf(error) as { constructor?: { name?: string } } | null;
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p) as typeof p
  ) {
    const name = p.constructor?.name;
    if (name) classes.push(name);
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    props[key] = sendValue((error as unknown as Record<string, unknown>)[key], depth);
  }
  const hasCause = Object.prototype.hasOwnProperty.call(error, 'cause');
  const errors = (error as { errors?: unknown }).errors;
  return {
    [MARK]: 1,
    classes,
    name: String(error.name),
    ownName: Object.prototype.hasOwnProperty.call(error, 'name'),
    message: String(error.message),
    ...(typeof error.stack === 'string' ? { stack: error.stack } : {}),
    hasCause,
    ...(hasCause ? { cause: sendValue(error.cause, depth) } : {}),
    ...(Array.isArray(errors) && !Object.prototype.propertyIsEnumerable.call(error, 'errors')
      ? { errors: errors.map((e) => sendValue(e, depth)) }
      : {}),
    props,
  };
}

/** Encodes anything thrown (an Error or not) for sending to another thread. */
export function encodeError(error: unknown): TransportedError {
  if (error instanceof Error) return encode(error, 0);
  return encode(new Error(String(error)), 0);
}

function receiveValue(value: unknown): unknown {
  if (isTransported(value)) return decodeError(value);
  if (Array.isArray(value)) return value.map(receiveValue);
  if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === Object.prototype || proto === null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, receiveValue(v)]));
    }
  }
  return value;
}

/**
 * Rebuilds an error sent with {@link encodeError}: an instance of its own class when known here
 * (`instanceof InjectionError` holds), else of the nearest known ancestor (at least `Error`),
 * keeping `name`, `message`, `stack`, `cause` and own enumerable properties. The class's
 * constructor is not run (its arguments are not known); the object is a genuine Error.
 */
export function decodeError(sent: TransportedError): Error {
  known ??= knownClasses();
  const cls = sent.classes.map((c) => known?.get(c)).find((c) => c !== undefined) ?? Error;
  const error = Reflect.construct(Error, [sent.message], cls) as Error;
  if (sent.ownName || error.name !== sent.name) error.name = sent.name;
  Object.defineProperty(error, 'stack', {
    value: sent.stack ?? `${sent.name}: ${sent.message}`,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  if (sent.hasCause) {
    Object.defineProperty(error, 'cause', {
      value: receiveValue(sent.cause),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  if (sent.errors) {
    Object.defineProperty(error, 'errors', {
      value: sent.errors.map(receiveValue),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  for (const [key, value] of Object.entries(sent.props)) {
    Object.defineProperty(error, key, {
      value: receiveValue(value),
      writable: true,
      configurable: true,
      enumerable: true,
    });
  }
  return error;
}
