/*
 * What a report shows of one run, whatever it came from (a live `Result` or a stored version
 * folder). Both readers produce this shape; nothing after them knows where the data came from.
 */

/** One failed replicate: where it failed and why. */
export interface RunError {
  readonly key: string;
  readonly condition: string;
  readonly replicate: number | undefined;
  /** The step that threw, when the error came from a step. */
  readonly step: string | undefined;
  readonly name: string;
  readonly message: string;
}

/** A hypothesis as `Result.metrics.hypotheses` (and `<version>/hypotheses.json`) holds it. */
export interface HypothesisData {
  readonly name: string;
  /** Verifier output per treatment: a test result, `{ metric: result }`, or a list of either. */
  readonly results: Readonly<Record<string, unknown>>;
  readonly ranking: {
    readonly best: string | undefined;
    readonly ranked: readonly (readonly [string, number])[];
  };
  readonly errors: Readonly<Record<string, string>>;
}

/** Step calls of one step (by name) over the whole run. */
export interface StepUsage {
  readonly step: string;
  readonly calls: number;
  readonly cacheHits: number;
  /** Calls that were timed and their total time; absent when the run recorded no timings. */
  readonly timedCalls?: number;
  readonly totalMs?: number;
}

export interface RunData {
  readonly experiment: string;
  /** `v<N>` number of a stored run; undefined for an unstored result. */
  readonly version: number | undefined;
  /** ISO date the run completed, when known. */
  readonly date: string | undefined;
  /** What the experiment is for (its `description`), when stored. */
  readonly description: string | undefined;
  /** `result.ok`: false when a replicate failed or a hypothesis could not be tested. */
  readonly ok: boolean | undefined;
  /** Treatment keys no step read (from a live Result). */
  readonly unusedTreatmentKeys: readonly {
    readonly treatment: string;
    readonly key: string;
    readonly suggestion: string | undefined;
  }[];
  /** Where the run is stored, when it is. */
  readonly dir: string | undefined;
  readonly replicates: number;
  /** 'baseline' first, then treatments in run order. */
  readonly conditions: readonly string[];
  readonly metrics: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>;
  readonly seeds: Readonly<Record<string, readonly number[]>>;
  /** Fingerprint hash and parts per condition. */
  readonly fingerprints: Readonly<
    Record<string, { readonly hash: string; readonly parts: Readonly<Record<string, string>> }>
  >;
  readonly pipelineSignature: string | undefined;
  /** Pipeline description (step names) when the stored metadata has it. */
  readonly pipeline: unknown;
  readonly hypotheses: readonly HypothesisData[];
  readonly errors: readonly RunError[];
  readonly steps: readonly StepUsage[];
  /** Conditions a resume reused from an earlier run. */
  readonly reused: readonly string[];
}

/** `baseline_rep_2` → `{ condition: 'baseline', replicate: 2 }`. */
export function parseErrorKey(key: string): { condition: string; replicate: number | undefined } {
  const m = /^(.*)_rep_(\d+)$/.exec(key);
  return m
    ? { condition: m[1] as string, replicate: Number(m[2]) }
    : { condition: key, replicate: undefined };
}

/** Conditions with 'baseline' first and the rest in their given order, without duplicates. */
export function orderConditions(names: Iterable<string>): string[] {
  const all = [...new Set(names)];
  return all.includes('baseline') ? ['baseline', ...all.filter((c) => c !== 'baseline')] : all;
}
