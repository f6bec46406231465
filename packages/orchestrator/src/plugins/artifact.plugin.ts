import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FrozenContext, Step } from '@crystallize/core';
import { BasePlugin, type RunContext } from './plugin.js';
import { PLUGIN_KIND } from '../model/plugin-kinds.js';
import type { ExperimentModel, RunStore } from '../model/experiment-model.js';
import type { Result } from '../results/result.js';
import type { StepRecord } from '../model/step-record.js';
import type { ConditionFingerprint, ReplicateOutcome } from '../model/outcome.js';
import { JOURNAL_WINDOW_MS, JournalWriter } from '../storage/journal.js';
import {
  JOURNAL_FILE,
  RUN_LOG_FILE,
  artifactRelPath,
  latestVersionDir,
  listVersions,
  removeStaleTempFiles,
  stagingDir,
  versionDir,
} from '../storage/run-layout.js';
import { storeArtifactFile } from '../storage/store-artifact-file.js';
import { storeRun } from './store-run.js';
import { recoverSwap, reduceVersion, swapStagingIntoPlace } from '../storage/run-writer.js';
import { continuable, resumeSourcesOf } from '../storage/run-folders.js';
import {
  acquireRunLock,
  allocateVersion,
  isLockHeld,
  lockFileOf,
  removeStaleLockTemps,
  type RunLock,
} from '../storage/run-lock.js';
import { encodeArtifact } from '../artifacts/content-type.js';

export interface ArtifactPluginOptions {
  /** Root folder of stored runs (default 'data'). */
  readonly rootDir?: string;
  /** Keep each run in a new `v<N>` folder (default false: always `v0`, replaced). */
  readonly versioned?: boolean;
  /** Versioned runs: how many newest versions stay complete (default 3). */
  readonly retention?: number;
  /**
   * Files above this size are stripped from older kept versions (default 10 MB); their run
   * journal, which holds their provenance, is kept whatever its size.
   */
  readonly bigFileThresholdMb?: number;
  /**
   * Unversioned runs and resumes: how long to wait (ms) for another process that holds the same
   * run folder before refusing with a `RunLockedError` (default 5000).
   */
  readonly lockWaitMs?: number;
  /**
   * The run journal writes the line of a replicate that took at least this long (ms of step
   * time) at once; lines of quicker replicates finished within this window of the last write go
   * out together, so a kill loses at most finished replicates worth less than this much computing
   * besides those in flight (default 2; 0: one write per replicate).
   */
  readonly journalWindowMs?: number;
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
  readonly lockWaitMs: number;
  readonly journalWindowMs: number;
  readonly #locks = new WeakMap<RunContext, RunLock>();
  readonly #journals = new WeakMap<RunContext, JournalWriter>();
  /** Per run and condition, the replicates this run's journal holds. */
  readonly #journalled = new WeakMap<RunContext, Map<string, Set<number>>>();
  readonly #written = new WeakMap<FrozenContext, Set<string>>();
  /** The folder of the run in progress (set by beforeRun, or by a worker via `useRunDir`). */
  #dir: string | undefined;

  constructor(options: ArtifactPluginOptions = {}) {
    super();
    this.rootDir = options.rootDir ?? 'data';
    this.versioned = options.versioned ?? false;
    this.retention = options.retention ?? 3;
    this.bigFileThresholdMb = options.bigFileThresholdMb ?? 10;
    this.lockWaitMs = options.lockWaitMs ?? 5000;
    this.journalWindowMs = options.journalWindowMs ?? JOURNAL_WINDOW_MS;
    for (const [name, ok] of [
      ['lockWaitMs', Number.isFinite(this.lockWaitMs) && this.lockWaitMs >= 0],
      ['journalWindowMs', Number.isFinite(this.journalWindowMs) && this.journalWindowMs >= 0],
      ['retention', Number.isInteger(this.retention) && this.retention >= 1],
    ] as const) {
      if (!ok) {
        const value = this[name];
        const want = name === 'retention' ? 'an integer >= 1' : 'a number >= 0';
        throw new RangeError(`ArtifactPlugin: ${name} must be ${want}, got ${value}`);
      }
    }
  }

  experimentDir(experiment: Pick<ExperimentModel, 'name'>): string {
    return join(this.rootDir, experiment.name);
  }

  /** The newest version folder, if any run was stored. */
  latestDir(experiment: Pick<ExperimentModel, 'name'>): string | undefined {
    return latestVersionDir(this.experimentDir(experiment));
  }

  /**
   * Folders resume may take stored results from, best first. Unversioned: the staging folder of
   * an unfinished (crashed or aborted) run, then v0. Versioned: the newest version when it never
   * finished, then the newest finished one.
   */
  resumeSources(experiment: Pick<ExperimentModel, 'name'>): readonly string[] {
    return resumeSourcesOf(this.experimentDir(experiment), this.versioned);
  }

  override async beforeRun(experiment: ExperimentModel, run: RunContext): Promise<void> {
    const expDir = this.experimentDir(experiment);
    mkdirSync(expDir, { recursive: true });
    if (this.versioned) {
      const versions = listVersions(expDir);
      const last = versions[versions.length - 1];
      const lastDir = last === undefined ? undefined : versionDir(expDir, last);
      // Resume continues the newest version when it never finished or was aborted, and no live
      // run holds it; otherwise a new folder by exclusive creation (a concurrent run gets the
      // next N), so a finished version is never rewritten.
      const continued =
        run.strategy === 'resume' &&
        last !== undefined &&
        lastDir !== undefined &&
        continuable(lastDir) &&
        !isLockHeld(lockFileOf(expDir, last));
      if (continued) {
        this.#locks.set(run, await acquireRunLock(lockFileOf(expDir, last), this.lockWaitMs));
        run.dir = lastDir;
      } else {
        const { dir, lock } = await allocateVersion(expDir, last === undefined ? 0 : last + 1);
        this.#locks.set(run, lock);
        run.dir = dir;
      }
      run.resultDir = run.dir;
    } else {
      const lock = await acquireRunLock(lockFileOf(expDir, 0), this.lockWaitMs);
      this.#locks.set(run, lock);
      // The run writes beside v0 (which stays readable) and takes its place at the end.
      run.dir = stagingDir(expDir);
      run.resultDir = versionDir(expDir, 0);
      try {
        recoverSwap(expDir);
        if (run.strategy !== 'resume') rmSync(run.dir, { recursive: true, force: true });
        const continuing = existsSync(run.dir);
        mkdirSync(run.dir, { recursive: true });
        // A resume continues v0's story: its run log goes on in the new folder.
        const log = join(run.resultDir, RUN_LOG_FILE);
        if (run.strategy === 'resume' && !continuing && existsSync(log))
          copyFileSync(log, join(run.dir, RUN_LOG_FILE));
      } catch (e) {
        this.#release(run);
        throw e;
      }
    }
    try {
      removeStaleTempFiles(run.dir);
      removeStaleLockTemps(expDir);
      this.#journals.set(
        run,
        new JournalWriter(join(run.dir, JOURNAL_FILE), { windowMs: this.journalWindowMs }),
      );
    } catch (e) {
      this.#release(run);
      throw e;
    }
    this.#dir = run.dir;
  }

  /** Appends the outcome of a replicate to the run journal (see `journalWindowMs`). */
  recordReplicate(
    run: RunContext,
    outcome: ReplicateOutcome,
    fingerprints: Readonly<Record<string, ConditionFingerprint>>,
  ): void {
    if (outcome.conditions.length === 0) return;
    const journal = this.#journals.get(run);
    if (!journal) return;
    journal.appendOutcome(outcome, fingerprints);
    let byCondition = this.#journalled.get(run);
    if (!byCondition) this.#journalled.set(run, (byCondition = new Map()));
    for (const c of outcome.conditions) {
      let replicates = byCondition.get(c.condition);
      if (!replicates) byCondition.set(c.condition, (replicates = new Set()));
      replicates.add(outcome.replicate);
    }
  }

  override runFailed(_experiment: ExperimentModel, _error: unknown, run: RunContext): void {
    this.#release(run);
  }

  #release(run: RunContext): void {
    try {
      this.#journals.get(run)?.close();
    } finally {
      this.#journals.delete(run);
      this.#locks.get(run)?.release();
      this.#locks.delete(run);
    }
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
      storeArtifactFile(ctx, dir, rel, encodeArtifact(entry.name, entry.data));
    }
  }

  override afterRun(experiment: ExperimentModel, result: Result, run: RunContext): void {
    try {
      this.#store(experiment, result, run);
      this.#journals.get(run)?.close();
      // A run that was not aborted takes v0's place; an aborted one stays staged for resume.
      if (!this.versioned && run.dir && !run.signal?.aborted) {
        swapStagingIntoPlace(this.experimentDir(experiment));
        if (this.#dir === run.dir) this.#dir = run.resultDir;
      } else if (run.dir) {
        result.dir = run.dir; // the aborted run's files are where it left them
      }
    } finally {
      this.#release(run);
    }
  }

  #store(experiment: ExperimentModel, result: Result, run: RunContext): void {
    if (!run.dir) return;
    storeRun(experiment, result, run, this.#journals.get(run), this.#journalled.get(run));
    if (this.versioned) this.#applyRetention(this.experimentDir(experiment));
  }

  /**
   * Newest version: untouched. The rest of the newest `retention`: files above the big-file
   * threshold removed. Older versions: reduced to metrics (results, metadata, markers).
   * Versions whose run is still in progress in another process are skipped.
   */
  #applyRetention(expDir: string): void {
    const limit = this.bigFileThresholdMb * 1024 * 1024;
    listVersions(expDir)
      .reverse()
      .forEach((v, i) => {
        // A version another process is still writing (it holds its lock) is left alone.
        if (i > 0 && !isLockHeld(lockFileOf(expDir, v))) {
          reduceVersion(versionDir(expDir, v), i < this.retention, limit);
        }
      });
  }
}
