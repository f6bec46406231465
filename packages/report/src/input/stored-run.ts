import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ReportError } from '../report-error.js';
import {
  orderConditions,
  parseErrorKey,
  type HypothesisData,
  type RunData,
  type RunError,
} from './run-data.js';
import {
  decodeDurations,
  fromStoredJson,
  readConditionProvenance,
} from '@crystallize/orchestrator/internal';
import { STEP_TIMINGS_FILE, StepUsageCounter, type StepTimings } from './step-usage.js';

/*
 * A reader of the stored-run layout (SPEC §8) for reports:
 *
 *   <root>/<experiment>/v<N>/metadata.json
 *                           /hypotheses.json               (runs with hypotheses)
 *                           /step-timings.json             (runs with the deprecated StepTimingPlugin)
 *                           /<condition>/results.json
 *                           /<condition>/provenance.jsonl
 *
 * It reads only; it belongs with the orchestrator's run-layout module and can move there.
 */

const VERSION_DIR = /^v(\d+)$/;
const HYPOTHESES_FILE = 'hypotheses.json';

/**
 * The version folder a report target names: a `v<N>` folder itself, or an experiment folder
 * (its newest version, or `version` when given).
 * @example resolveRunDir('data/scale-demo', 2) // 'data/scale-demo/v2'
 */
export function resolveRunDir(target: string, version?: number): string {
  const dir = resolve(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ReportError(
      `Report target '${target}' is not a folder. Give a stored run folder (<root>/<experiment>/v<N>) or an experiment folder (<root>/<experiment>).`,
    );
  }
  if (VERSION_DIR.test(basename(dir))) {
    if (version === undefined) return dir;
    return checkedVersion(join(dir, '..'), version, target);
  }
  const versions = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && VERSION_DIR.test(d.name))
    .map((d) => Number(d.name.slice(1)))
    .sort((a, b) => a - b);
  if (version !== undefined) return checkedVersion(dir, version, target);
  const last = versions[versions.length - 1];
  if (last === undefined) {
    throw new ReportError(
      `Report target '${target}' holds no stored run (no v<N> folder). Run the experiment with an ArtifactPlugin first, or name a version folder.`,
    );
  }
  return join(dir, `v${last}`);
}

function checkedVersion(experimentDir: string, version: number, target: string): string {
  const dir = join(experimentDir, `v${version}`);
  if (!existsSync(dir)) {
    throw new ReportError(
      `Report target '${target}': version v${version} does not exist in ${experimentDir}.`,
    );
  }
  return dir;
}

interface StoredResults {
  readonly replicates?: number;
  readonly seeds?: readonly number[];
  readonly metrics?: Record<string, readonly unknown[]>;
  readonly errors?: Record<
    string,
    { name?: string; message?: string; stepName?: string } | undefined
  >;
  readonly fingerprint?: string;
  readonly fingerprintParts?: Record<string, string>;
}

/** Reads a stored version folder (see {@link resolveRunDir} for what `target` may be). */
export function readStoredRun(target: string): RunData {
  const dir = resolveRunDir(target);
  const meta = readJson(join(dir, 'metadata.json'), dir) ?? {};
  const listed = Array.isArray(meta['conditions']) ? (meta['conditions'] as string[]) : [];
  const onDisk = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'results.json')))
    .map((d) => d.name);
  const conditions = orderConditions([...listed, ...onDisk.sort()]).filter((c) =>
    existsSync(join(dir, c, 'results.json')),
  );
  if (conditions.length === 0) {
    throw new ReportError(
      `No stored results in ${dir}: no <condition>/results.json. Is this a run folder written by the ArtifactPlugin?`,
    );
  }
  const metrics: Record<string, Record<string, readonly unknown[]>> = {};
  const seeds: Record<string, readonly number[]> = {};
  const fingerprints: Record<string, { hash: string; parts: Record<string, string> }> = {};
  const errors: RunError[] = [];
  const counter = new StepUsageCounter();
  let replicates = typeof meta['replicates'] === 'number' ? meta['replicates'] : 0;
  for (const c of conditions) {
    const stored = (readJson(join(dir, c, 'results.json'), dir) ?? {}) as StoredResults;
    metrics[c] = stored.metrics ?? {};
    seeds[c] = stored.seeds ?? [];
    fingerprints[c] = { hash: stored.fingerprint ?? '', parts: stored.fingerprintParts ?? {} };
    replicates = Math.max(replicates, stored.replicates ?? 0);
    for (const [key, e] of Object.entries(stored.errors ?? {})) {
      errors.push({
        key,
        ...parseErrorKey(key),
        step: e?.stepName,
        name: e?.name ?? 'Error',
        message: e?.message ?? '',
      });
    }
    if (existsSync(join(dir, c, 'provenance.jsonl')))
      countProvenance(join(dir, c, 'provenance.jsonl'), counter);
    else if (stored.fingerprint !== undefined && stored.replicates !== undefined)
      // A run that journalled every replicate keeps the condition's provenance in its journal.
      for (const records of Object.values(
        readConditionProvenance(dir, c, {
          fingerprint: stored.fingerprint,
          seeds: stored.seeds ?? [],
          replicates: stored.replicates,
        }),
      ))
        for (const r of records) counter.add(r.step, r.cacheHit, r.durationMs);
  }
  const hypotheses = readStoredHypotheses(dir) ?? [];
  const timings = readJson(join(dir, STEP_TIMINGS_FILE), dir) as StepTimings | undefined;
  const version = VERSION_DIR.exec(basename(dir))?.[1];
  return {
    experiment:
      typeof meta['experiment'] === 'string' ? meta['experiment'] : basename(join(dir, '..')),
    version: typeof meta['version'] === 'number' ? meta['version'] : Number(version),
    date: typeof meta['completedAt'] === 'string' ? meta['completedAt'] : undefined,
    description: typeof meta['description'] === 'string' ? meta['description'] : undefined,
    ok: typeof meta['ok'] === 'boolean' ? meta['ok'] : undefined,
    unusedTreatmentKeys: [],
    dir,
    replicates,
    conditions,
    metrics,
    seeds,
    fingerprints,
    pipelineSignature:
      typeof meta['pipelineSignature'] === 'string' ? meta['pipelineSignature'] : undefined,
    pipeline: meta['pipeline'],
    hypotheses,
    errors,
    steps: counter.result(timings),
    reused: Array.isArray(meta['reused']) ? (meta['reused'] as string[]) : [],
  };
}

/**
 * The hypotheses a run stored in `<version>/hypotheses.json` (its `result.metrics.hypotheses`,
 * NaN and Infinity decoded), or `undefined` when the folder has no such file: a run without
 * hypotheses, or one stored before runs wrote it. `target` is as for {@link resolveRunDir}.
 * @example readStoredHypotheses('data/scale-demo/v2')?.[0]?.ranking.best // 'double'
 */
export function readStoredHypotheses(target: string): HypothesisData[] | undefined {
  const dir = resolveRunDir(target);
  const raw = readJson(join(dir, HYPOTHESES_FILE), dir) as unknown;
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    throw new ReportError(
      `${join(dir, HYPOTHESES_FILE)} of the stored run ${dir} is not a list of hypotheses. The file is damaged; rerun the experiment or report another version.`,
    );
  }
  return raw.map(toHypothesis);
}

function toHypothesis(raw: unknown): HypothesisData {
  const h = (raw ?? {}) as Partial<HypothesisData>;
  return {
    name: String(h.name ?? ''),
    results: h.results ?? {},
    ranking: { best: h.ranking?.best, ranked: h.ranking?.ranked ?? [] },
    errors: h.errors ?? {},
  };
}

interface ProvenanceLine {
  readonly format?: string;
  readonly steps?: readonly { readonly step: string }[];
  readonly records?: readonly { step: string; cacheHit: boolean; durationMs?: number }[];
  readonly ids?: readonly number[];
  readonly hits?: readonly number[];
  /** Each call's time in ms: base64 of little-endian float64s (NaN: untimed). */
  readonly durations?: string;
}

/**
 * Counts step calls, cache hits and call times (`durations`, NaN for an untimed call) from
 * `provenance.jsonl` without building StepRecords.
 */
function countProvenance(path: string, counter: StepUsageCounter): void {
  if (!existsSync(path)) return;
  let steps: readonly { readonly step: string }[] = [];
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    if (!raw) continue;
    let line: ProvenanceLine;
    try {
      line = JSON.parse(raw) as ProvenanceLine;
    } catch {
      continue; // a torn last line of an aborted run: the rest still counts
    }
    if (line.format !== undefined) {
      steps = line.steps ?? [];
      continue;
    }
    if (line.records) {
      for (const r of line.records) counter.add(r.step, r.cacheHit, r.durationMs);
      continue;
    }
    const hits = new Set(line.hits ?? []);
    const durations = decodeDurations(line.durations);
    (line.ids ?? []).forEach((id, i) =>
      counter.add(steps[id]?.step ?? `#${id}`, hits.has(i), durations?.[i]),
    );
  }
}

function readJson(path: string, dir: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return fromStoredJson<Record<string, unknown>>(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ReportError(
      `Cannot read ${path} of the stored run ${dir}: ${(e as Error).message}. The file is damaged; rerun the experiment or report another version.`,
      { cause: e },
    );
  }
}
