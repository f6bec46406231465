import type { ExperimentModel } from '../model/experiment-model.js';
import type { Result } from '../results/result.js';
import type { ArtifactContentType } from '../artifacts/content-type.js';
import type { JournalWriter } from '../storage/journal.js';
import { versionOf } from '../storage/run-layout.js';
import { writeConditionResults, writeRunFiles } from '../storage/run-writer.js';
import { storing } from '../storage/storage-failure.js';
import type { StoredManifestEntry } from '../storage/stored-run.js';
import type { RunContext } from './plugin.js';

/**
 * Stores a finished (or aborted) run in `run.dir`: per condition its results.json, completion
 * marker and — only when the run journal lacks some of its replicates — provenance.jsonl; then
 * `_manifest.json`, `hypotheses.json` and `metadata.json` (last: it makes the version finished).
 */
export function storeRun(
  experiment: ExperimentModel,
  result: Result,
  run: RunContext,
  journal: JournalWriter | undefined,
  journalled: ReadonlyMap<string, ReadonlySet<number>> | undefined,
): void {
  const dir = run.dir;
  if (!dir) return;
  const manifest: Record<
    string,
    StoredManifestEntry & { files: string[]; contentTypes: Record<string, ArtifactContentType> }
  > = {};
  // The journal's lines go out before any results.json that relies on them (a failure is the
  // run's StorageError, like any other file of the save).
  if (journal) storing(journal.path, () => journal.flush());
  for (const condition of run.conditions) {
    const stored = result.storedCondition(condition, run);
    for (const a of stored.artifacts) {
      const m = (manifest[a.name] ??= { step: a.step, files: [], contentTypes: {} });
      m.files.push(a.path);
      if (a.contentType) m.contentTypes[a.path] = a.contentType;
    }
    // Every condition, reused ones too: the run's folder holds all of its results.
    const complete =
      stored.seeds.length === run.replicates &&
      Object.keys(stored.errors).length === 0 &&
      !run.signal?.aborted;
    // Provenance is written once: the journal holds it when it has every replicate stored.
    const inJournal =
      journal !== undefined && holdsAll(journalled?.get(condition), result, condition);
    writeConditionResults(
      dir,
      stored,
      inJournal ? undefined : result.provenanceLines(condition),
      complete,
    );
  }
  writeRunFiles(dir, {
    manifest,
    // Beside the metrics: every hypothesis, per treatment (statistic, p-values, effect size,
    // CI, significance, rank), as they appear in Result.toJSON().metrics.hypotheses. A run
    // without hypotheses leaves none (and removes a resumed folder's stale one).
    hypotheses: result.metrics.hypotheses,
    metadata: {
      experiment: experiment.name,
      ...(experiment.description !== undefined ? { description: experiment.description } : {}),
      ok: result.ok,
      version: versionOf(run.resultDir ?? dir),
      replicates: run.replicates,
      conditions: run.conditions,
      reused: [...run.reused],
      pipeline: experiment.pipeline.describe(),
      pipelineSignature: result.provenance.pipelineSignature,
      strategy: run.strategy,
      aborted: run.signal?.aborted === true,
      completedAt: new Date().toISOString(),
    },
  });
}

/** Whether `journalled` has every replicate whose step records `result` holds for `condition`. */
function holdsAll(
  journalled: ReadonlySet<number> | undefined,
  result: Result,
  condition: string,
): boolean {
  if (!journalled) return false;
  return result.provenanceReplicates(condition).every((r) => journalled.has(r));
}
