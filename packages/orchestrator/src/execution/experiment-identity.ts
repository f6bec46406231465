import { createHash } from 'node:crypto';
import { Treatment, ValidationError } from '@crystallize/core';
import { seederOf, type ExperimentModel } from '../model/experiment-model.js';

/*
 * An execution backend that runs replicates elsewhere (worker threads today, other machines
 * later) rebuilds the experiment there from its module, so what runs is the module's export —
 * not necessarily the object `run()` was called on (a factory built it with other arguments, or
 * the export was changed after import). The experiment's identity, taken part by part, is what
 * lets every such backend prove the two are the same configuration, or say which part differs.
 */

/** One part of an experiment's configuration: a stable value, and a short form for messages. */
export interface IdentityPart {
  /** What this part is, e.g. `step 'Noisy' (#1) param 'scale'`. */
  readonly part: string;
  /** A canonical encoding (hashed when long): equal values, equal strings. */
  readonly value: string;
  /** A short human-readable form of the value. */
  readonly shown: string;
}

/**
 * How functions are identified. Across threads or processes a function is only `[function]`
 * (its source may be transpiled differently there, and its closure is invisible); within one
 * process, two experiments can be compared by function reference.
 */
export interface IdentityOptions {
  readonly functions: 'opaque' | 'reference';
}

const MAX_DEPTH = 8;
const refIds = new WeakMap<object, number>();
let nextRef = 0;

function refOf(value: object): number {
  let id = refIds.get(value);
  if (id === undefined) refIds.set(value, (id = ++nextRef));
  return id;
}

export function isExperimentLike(value: object): value is { name: string } {
  const v = value as { runReplicate?: unknown; workerEnv?: unknown; name?: unknown };
  return (
    typeof v.runReplicate === 'function' &&
    typeof v.workerEnv === 'function' &&
    typeof v.name === 'string'
  );
}

/** A canonical, deterministic encoding of a configuration value (not of run-time data). */
function canonical(value: unknown, opts: IdentityOptions, depth = 0, seen = new Set()): string {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return opts.functions === 'reference'
        ? `[function ${value.name || 'anonymous'}#${refOf(value)}]`
        : `[function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[deep]';
  // Another experiment (an upstream of an artifact data source) is identified by its name.
  if (isExperimentLike(obj)) return `Experiment(${JSON.stringify(obj.name)})`;
  // A treatment's function is private: within one process, the object itself identifies it.
  if (obj instanceof Treatment && !obj.values) {
    return opts.functions === 'reference'
      ? `Treatment(${JSON.stringify(obj.name)}#${refOf(obj)})`
      : `Treatment(${JSON.stringify(obj.name)}, [function])`;
  }
  seen.add(obj);
  try {
    const next = (v: unknown): string => canonical(v, opts, depth + 1, seen);
    if (Array.isArray(obj)) return `[${obj.map(next).join(',')}]`;
    if (ArrayBuffer.isView(obj)) {
      const bytes = new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength);
      return `${obj.constructor.name}(${createHash('sha256').update(bytes).digest('hex')})`;
    }
    if (obj instanceof Date) return `Date(${obj.getTime()})`;
    if (obj instanceof RegExp) return String(obj);
    if (obj instanceof Map)
      return `Map{${[...obj.entries()].map(([k, v]) => `${next(k)}=>${next(v)}`).join(',')}}`;
    if (obj instanceof Set) return `Set{${[...obj].map(next).join(',')}}`;
    const proto = Object.getPrototypeOf(obj) as { constructor?: { name?: string } } | null;
    const cls = proto === null || proto === Object.prototype ? '' : (proto.constructor?.name ?? '');
    // A field declared without a value is an own `undefined` under one class-field semantics and
    // absent under the other: another transpiler must not make it a difference.
    const keys = Object.keys(obj)
      .filter((k) => (obj as Record<string, unknown>)[k] !== undefined)
      .sort();
    const body = keys
      .map((k) => `${JSON.stringify(k)}:${next((obj as Record<string, unknown>)[k])}`)
      .join(',');
    return `${cls}{${body}}`;
  } finally {
    seen.delete(obj);
  }
}

/** A getter that may fail (an upstream run not stored yet) is a value too, not a crash. */
function read(get: () => unknown): unknown {
  try {
    return get();
  } catch (e) {
    return `[unreadable: ${(e as Error).message}]`;
  }
}

function part(name: string, value: unknown, opts: IdentityOptions): IdentityPart {
  const text = canonical(value, opts);
  return {
    part: name,
    value: text.length > 200 ? createHash('sha256').update(text).digest('hex') : text,
    shown: text.length > 80 ? `${text.slice(0, 77)}...` : text,
  };
}

/**
 * The experiment's configuration, part by part: the pipeline (steps in order, and the DAG's
 * edges), each step's class and every `@Param` value it would use (explicit, or its default
 * field value), the data source, the initial context, the seed, and the experiment's function
 * treatments. Code is not part of it (another thread may transpile the same source differently);
 * run-level overrides (replicates, treatments given to `run()`) travel with the task instead.
 */
export function experimentIdentity(
  experiment: ExperimentModel,
  opts: IdentityOptions = { functions: 'opaque' },
): IdentityPart[] {
  const parts: IdentityPart[] = [part('pipeline', experiment.pipeline.describe(), opts)];
  experiment.pipeline.steps.forEach((step, i) => {
    const where = `step '${step.name}' (#${i + 1})`;
    parts.push(part(`${where} class`, step.constructor.name, opts));
    const fields = step as unknown as Readonly<Record<string, unknown>>;
    for (const name of step.paramNames) {
      const explicit = Object.prototype.hasOwnProperty.call(step.params, name);
      parts.push(
        part(
          `${where} param '${name}'`,
          explicit ? { explicit: step.params[name] } : { default: fields[name] },
          opts,
        ),
      );
    }
  });
  const ds = experiment.datasource;
  parts.push(
    part(
      'datasource',
      {
        class: ds.constructor.name,
        name: ds.name,
        replicates: read(() => ds.replicates),
        state: { ...ds },
      },
      opts,
    ),
  );
  const keys = Object.keys(experiment.initialCtx).sort();
  parts.push(part('initial context keys', keys, opts));
  for (const key of keys)
    parts.push(part(`initial context '${key}'`, experiment.initialCtx[key], opts));
  const seed = seederOf(experiment);
  parts.push(
    part('seed', seed ? { seed: seed.seed, autoSeed: seed.autoSeed } : { seed: 'none' }, opts),
  );
  // Replicates and value treatments of the run travel with the task; a function treatment cannot,
  // so the rebuilt side uses its own of that name: it must be the same one.
  for (const t of experiment.treatments) {
    if (!t.values) parts.push(part(`function treatment '${t.name}'`, t, opts));
  }
  return parts;
}

/** One line per part that differs (or exists on one side only). */
export function identityDifferences(
  expected: readonly IdentityPart[],
  actual: readonly IdentityPart[],
  labels: { readonly expected: string; readonly actual: string },
): string[] {
  const mine = new Map(actual.map((p) => [p.part, p]));
  const theirs = new Map(expected.map((p) => [p.part, p]));
  const out: string[] = [];
  for (const p of expected) {
    const a = mine.get(p.part);
    if (!a) out.push(`${p.part}: ${p.shown} ${labels.expected}, absent ${labels.actual}`);
    else if (a.value !== p.value)
      out.push(`${p.part}: ${p.shown} ${labels.expected}, ${a.shown} ${labels.actual}`);
  }
  for (const a of actual) {
    if (!theirs.has(a.part))
      out.push(`${a.part}: absent ${labels.expected}, ${a.shown} ${labels.actual}`);
  }
  return out;
}

const HOW_TO_FIX =
  'A worker rebuilds the experiment by importing its module and taking the exported experiment of that name, ' +
  'so run the exported object itself and configure it at the module top level (not after import), or export ' +
  "each configuration with its own experiment name (export const big = makeExperiment({ name: 'big', ... })), " +
  'or run it with SerialExecution / AsyncExecution.';

/** Throws a {@link ValidationError} naming every differing part. */
export function assertSameIdentity(
  expected: readonly IdentityPart[],
  actual: readonly IdentityPart[],
  context: {
    readonly experiment: string;
    readonly module: string;
    readonly expectedLabel: string;
    readonly actualLabel: string;
    readonly backend: string;
  },
): void {
  const diffs = identityDifferences(expected, actual, {
    expected: context.expectedLabel,
    actual: context.actualLabel,
  });
  if (diffs.length === 0) return;
  throw new ValidationError(
    [
      `experiment '${context.experiment}' that run() was called on differs from the one rebuilt from ${context.module} ` +
        `(${diffs.length} part${diffs.length > 1 ? 's' : ''}); nothing ran. ${HOW_TO_FIX}`,
      ...diffs,
    ],
    context.backend,
  );
}
