import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as V8 from 'node:v8';
import type { ReplicateOutcome } from '@crystallize/orchestrator';
import type { RunSpec } from './orchestrator-bridge.js';

/*
 * What travels over the queue. Job data and return values are JSON (BullMQ's format); the run
 * spec and the outcome inside them are V8-serialized (base64): the same structured clone the
 * tinypool workers use, so NaN, -0, bigint, Map, Set, typed arrays and Dates come back exactly
 * as a serial run keeps them. No code travels: the module is named relative to the root.
 */

/** 2: a job may carry a folder experiment (`folder`) instead of a module. */
export const FORMAT = 2;

/** Where a worker writes a replicate's artifact files. */
export type ArtifactTransport =
  /** No run folder (results are not stored). */
  | { readonly mode: 'none' }
  /** In a scratch folder of the worker; the files come back with the result, up to `maxBytes`. */
  | { readonly mode: 'carry'; readonly maxBytes: number }
  /** Straight into the run folder, `runDir` relative to the (shared) root. */
  | { readonly mode: 'shared'; readonly runDir: string };

export interface JobData {
  readonly format: typeof FORMAT;
  /** The run this replicate belongs to (also the prefix of its job id). */
  readonly run: string;
  readonly experiment: string;
  readonly replicate: number;
  /** The experiment's module, relative to the project root, `/`-separated (`''` for a folder experiment). */
  readonly module: string;
  /** A folder experiment: rebuilt by @crystallize/config's loader under the worker's root. */
  readonly folder?: FolderJob;
  readonly artifacts: ArtifactTransport;
  /** base64 of the V8-serialized run spec (without module and run folder: each worker sets its own). */
  readonly spec: string;
}

/** A folder experiment as a job names it: no code, only where it is and how it was loaded. */
export interface FolderJob {
  /** The folder (holding config.yaml), relative to the project root, `/`-separated. */
  readonly path: string;
  /**
   * The load options the submitter used (@crystallize/config's LoadOptions without progress
   * and execution plugin); `dataDir` relative to the root when it is under it.
   */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface CarriedFile {
  /** Relative to the run folder (as the outcome's artifact entries name it). */
  readonly path: string;
  readonly data: string;
}

export interface JobResult {
  readonly format: typeof FORMAT;
  /** base64 of the V8-serialized ReplicateOutcome. */
  readonly outcome: string;
  readonly files: readonly CarriedFile[];
  /** `host/pid` of the worker that ran it. */
  readonly worker: string;
}

let v8: typeof V8 | undefined;

/** node:v8, loaded on first use rather than when `crystallize` is imported (it pulls in streams). */
function serializer(): typeof V8 {
  v8 ??= createRequire(import.meta.url)('node:v8') as typeof V8;
  return v8;
}

const serialize = (value: unknown): Buffer => serializer().serialize(value);
const deserialize = (bytes: Buffer): unknown => serializer().deserialize(bytes);

export function pack(value: unknown): string {
  return serialize(value).toString('base64');
}

export function unpack<T>(text: string): T {
  return deserialize(Buffer.from(text, 'base64')) as T;
}

export function decodeOutcome(result: JobResult): ReplicateOutcome {
  return unpack<ReplicateOutcome>(result.outcome);
}

/**
 * A run's key: a digest of everything that decides what its replicates compute (experiment,
 * module, configuration, code fingerprints, treatments, conditions, replicates, and — for the
 * shared transport, where workers write into it — the run folder). Carried artifacts are written
 * by each submitter into its own folder, which does not change what a job computes, so two
 * submitters of one run into different folders join the same jobs. Submitting the same run twice
 * gives the same job ids, so the second submission is a no-op (a job that already completed is
 * replaced unless the submitter resumes); a changed step, treatment or shared folder gives new ones.
 */
export function runKey(spec: RunSpec, module: string, artifacts: ArtifactTransport): string {
  const bytes = serialize({
    format: FORMAT,
    module,
    artifacts,
    experiment: spec.experiment,
    exportName: spec.exportName,
    identity: spec.identity.map((p) => [p.part, p.value]),
    steps: spec.steps,
    treatments: spec.treatments,
    baseline: spec.baselineTreatment,
    conditions: spec.conditions,
    ...(spec.replicateConditions ? { replicateConditions: spec.replicateConditions } : {}),
    replicates: spec.replicates,
    verbose: spec.verbose,
  });
  return createHash('sha256').update(bytes).digest('hex').slice(0, 24);
}

/** A replicate's job id: deterministic, and without `:` (BullMQ refuses custom ids with one). */
export function jobId(run: string, replicate: number): string {
  return `cz-${run}-r${replicate}`;
}

/** The Redis key that tells workers a run was cancelled (its jobs are refused). */
export function cancelKey(prefix: string, queue: string, run: string): string {
  return `${prefix}:${queue}:crystallize-cancelled:${run}`;
}

/** The channel on which submitters announce cancelled runs to every worker. */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:crystallize-cancel`;
}
