import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { FrozenContext, Step } from '@crystallize/core';
import { BasePlugin, type RunContext } from './plugin.js';
import { PLUGIN_KIND } from '../model/plugin-kinds.js';
import { toStoredJson } from '../storage/stored-json.js';
import type { ExperimentModel, RunStore } from '../model/experiment-model.js';
import type { Result } from '../results/result.js';
import type { StepRecord } from '../model/step-record.js';
import { writeProvenance } from '../storage/stored-condition.js';
import {
  COMPLETE_MARKER,
  HYPOTHESES_FILE,
  MANIFEST_FILE,
  METADATA_FILE,
  RESULTS_FILE,
  artifactRelPath,
  listVersions,
  markerPath,
  provenancePath,
  resultsPath,
  versionDir,
} from '../storage/run-layout.js';
import { encodeArtifact, type ArtifactContentType } from '../artifacts/content-type.js';

export interface ArtifactPluginOptions {
  /** Root folder of stored runs (default 'data'). */
  readonly rootDir?: string;
  /** Keep each run in a new `v<N>` folder (default false: always `v0`, replaced). */
  readonly versioned?: boolean;
  /** Versioned runs: how many newest versions stay complete (default 3). */
  readonly retention?: number;
  /** Files above this size are stripped from older kept versions (default 10 MB). */
  readonly bigFileThresholdMb?: number;
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  // node:crypto, never Math.random: a replicate's Math.random is the user's seeded stream, and
  // drawing from it here would shift the user's numbers whenever an artifact is written.
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  writeFileSync(tmp, data);
  // rename is atomic on one filesystem: readers see the old file or the new one, never half.
  renameSync(tmp, path);
}

/**
 * Stores what a run produced: artifact files written by steps, per-condition `results.json`
 * with completion markers, `metadata.json`, `_manifest.json`; applies version retention.
 */
export class ArtifactPlugin extends BasePlugin implements RunStore {
  /** Its role, recognised by shape: another copy of the framework finds this plugin too. */
  get [PLUGIN_KIND](): 'artifact' {
    return 'artifact';
  }

  readonly rootDir: string;
  readonly versioned: boolean;
  readonly retention: number;
  readonly bigFileThresholdMb: number;
  readonly #written = new WeakMap<FrozenContext, Set<string>>();
  /** The folder of the run in progress (set by beforeRun, or by a worker via `useRunDir`). */
  #dir: string | undefined;

  constructor(options: ArtifactPluginOptions = {}) {
    super();
    this.rootDir = options.rootDir ?? 'data';
    this.versioned = options.versioned ?? false;
    this.retention = options.retention ?? 3;
    this.bigFileThresholdMb = options.bigFileThresholdMb ?? 10;
    if (!Number.isInteger(this.retention) || this.retention < 1) {
      throw new RangeError(
        `ArtifactPlugin: retention must be an integer >= 1, got ${this.retention}`,
      );
    }
  }

  experimentDir(experiment: Pick<ExperimentModel, 'name'>): string {
    return join(this.rootDir, experiment.name);
  }

  /** The newest version folder, if any run was stored. */
  latestDir(experiment: Pick<ExperimentModel, 'name'>): string | undefined {
    const versions = listVersions(this.experimentDir(experiment));
    const last = versions[versions.length - 1];
    return last === undefined ? undefined : versionDir(this.experimentDir(experiment), last);
  }

  override beforeRun(experiment: ExperimentModel, run: RunContext): void {
    const expDir = this.experimentDir(experiment);
    const versions = listVersions(expDir);
    const last = versions[versions.length - 1];
    if (run.strategy === 'resume' && last !== undefined) {
      run.dir = versionDir(expDir, last);
    } else if (this.versioned) {
      run.dir = versionDir(expDir, last === undefined ? 0 : last + 1);
    } else {
      run.dir = versionDir(expDir, 0);
      rmSync(run.dir, { recursive: true, force: true });
    }
    mkdirSync(run.dir, { recursive: true });
    this.#dir = run.dir;
  }

  /** Points artifact writes at a run folder chosen elsewhere (a worker thread of a parallel run). */
  useRunDir(dir: string | undefined): void {
    this.#dir = dir;
  }

  override afterStep(
    _experiment: ExperimentModel,
    step: Step,
    _data: unknown,
    ctx: FrozenContext,
    _record: StepRecord,
  ): void {
    if (ctx.artifacts.size === 0) return;
    const dir = this.#dir;
    if (!dir) return;
    let written = this.#written.get(ctx);
    if (!written) {
      written = new Set();
      this.#written.set(ctx, written);
    }
    for (const entry of ctx.artifacts.entries()) {
      if (written.has(entry.name)) continue;
      written.add(entry.name);
      const rel = artifactRelPath(
        Number(ctx.get('replicate')),
        String(ctx.get('condition')),
        entry.step ?? step.name,
        entry.name,
      );
      writeAtomic(join(dir, rel), encodeArtifact(entry.name, entry.data));
    }
  }

  override afterRun(experiment: ExperimentModel, result: Result, run: RunContext): void {
    const dir = run.dir;
    if (!dir) return;
    const manifest: Record<
      string,
      { step: string; files: string[]; contentTypes: Record<string, ArtifactContentType> }
    > = {};
    for (const condition of run.conditions) {
      const stored = result.storedCondition(condition, run);
      for (const a of stored.artifacts) {
        const m = (manifest[a.name] ??= { step: a.step, files: [], contentTypes: {} });
        m.files.push(a.path);
        if (a.contentType) m.contentTypes[a.path] = a.contentType;
      }
      if (run.reused.has(condition)) continue;
      writeAtomic(resultsPath(dir, condition), toStoredJson(stored));
      writeProvenance(provenancePath(dir, condition), result.provenanceLines(condition));
      const complete =
        stored.seeds.length === run.replicates &&
        Object.keys(stored.errors).length === 0 &&
        !run.signal?.aborted;
      const marker = markerPath(dir, condition);
      if (complete) writeAtomic(marker, new Date().toISOString());
      else rmSync(marker, { force: true });
    }
    writeAtomic(join(dir, MANIFEST_FILE), toStoredJson(manifest, 2));
    // Beside the metrics: every hypothesis, per treatment (statistic, p-values, effect size,
    // CI, significance, rank), as they appear in Result.toJSON().metrics.hypotheses. A run
    // without hypotheses leaves none (and removes a resumed folder's stale one).
    if (result.metrics.hypotheses.length > 0)
      writeAtomic(join(dir, HYPOTHESES_FILE), toStoredJson(result.metrics.hypotheses, 2));
    else rmSync(join(dir, HYPOTHESES_FILE), { force: true });
    writeAtomic(
      join(dir, METADATA_FILE),
      toStoredJson(
        {
          experiment: experiment.name,
          ...(experiment.description !== undefined ? { description: experiment.description } : {}),
          ok: result.ok,
          version: Number(dir.slice(dir.lastIndexOf('v') + 1)),
          replicates: run.replicates,
          conditions: run.conditions,
          reused: [...run.reused],
          pipeline: experiment.pipeline.describe(),
          pipelineSignature: result.provenance.pipelineSignature,
          strategy: run.strategy,
          aborted: run.signal?.aborted === true,
          completedAt: new Date().toISOString(),
        },
        2,
      ),
    );
    if (this.versioned) this.#applyRetention(this.experimentDir(experiment));
  }

  /**
   * Newest version: untouched. The rest of the newest `retention`: files above the big-file
   * threshold removed. Older versions: reduced to metrics (results, metadata, markers).
   */
  #applyRetention(expDir: string): void {
    const versions = listVersions(expDir).reverse();
    const limit = this.bigFileThresholdMb * 1024 * 1024;
    versions.forEach((v, i) => {
      if (i === 0) return;
      const keepFull = i < this.retention;
      for (const file of walk(versionDir(expDir, v))) {
        const base = file.slice(file.lastIndexOf('/') + 1);
        if (
          [
            RESULTS_FILE,
            COMPLETE_MARKER,
            METADATA_FILE,
            MANIFEST_FILE,
            HYPOTHESES_FILE,
            'run.log',
          ].includes(base)
        )
          continue;
        if (!keepFull || statSync(file).size > limit) rmSync(file, { force: true });
      }
    });
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)],
  );
}
