import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASELINE_CONDITION,
  CrystallizeError,
  type FrozenContext,
  type Logger,
} from '@crystallize/core';
import { runStoreOf, type ExperimentModel } from '../model/experiment-model.js';
import type { ArtifactContentType, ArtifactFileInfo } from './content-type.js';
import { METADATA_FILE, artifactRelPath } from '../storage/run-layout.js';
import { readManifest, readRunMetadata, runStamp } from '../storage/stored-run.js';

/*
 * How a downstream experiment reads what an upstream one stored: the upstream's latest version
 * folder, its `_manifest.json` (which step wrote each artifact, and every file) and its
 * `metadata.json` (how many replicates it ran). Replicate r reads upstream replicate
 * r % upstreamReplicates; a treatment the upstream did not run reads the baseline's file.
 */

interface ManifestEntry {
  readonly step: string;
  readonly files: Set<string>;
  readonly contentTypes: Readonly<Record<string, ArtifactContentType>>;
}

interface UpstreamRun {
  /** Changes when a new run is stored in the folder (see `runStamp`). */
  readonly stamp: string;
  readonly replicates: number;
  readonly manifest: Readonly<Record<string, ManifestEntry>>;
}

// Parsed manifests by version folder; a rewritten metadata.json (a new run) invalidates one.
const runs = new Map<string, UpstreamRun>();

function storedRun(dir: string, upstream: string): UpstreamRun {
  const stamp = runStamp(dir);
  const meta = stamp === undefined ? undefined : runs.get(dir);
  if (meta && meta.stamp === stamp) return meta;
  const metadata = stamp === undefined ? undefined : readRunMetadata(dir);
  if (stamp === undefined || !metadata) {
    throw new CrystallizeError(
      `Upstream experiment '${upstream}' has no finished run in ${dir}. Run it first, or run both through ExperimentGraph.`,
    );
  }
  const manifest: Record<string, ManifestEntry> = {};
  for (const [name, m] of Object.entries(readManifest(dir)))
    manifest[name] = { step: m.step, files: new Set(m.files), contentTypes: m.contentTypes ?? {} };
  const run: UpstreamRun = { stamp, replicates: Number(metadata.replicates ?? 1), manifest };
  runs.set(dir, run);
  return run;
}

// One fallback warning per run (each run has its own logger), artifact and condition.
const warned = new WeakMap<Logger, Set<string>>();

function warnOnce(logger: Logger, key: string, message: string): void {
  let seen = warned.get(logger);
  if (!seen) warned.set(logger, (seen = new Set()));
  if (seen.has(key)) return;
  seen.add(key);
  logger.warn(message);
}

/** Where an upstream artifact file lives and how many replicates its run had. */
export interface UpstreamLocation {
  readonly dir: string;
  readonly replicates: number;
  readonly step: string | undefined;
  readonly files: ReadonlySet<string>;
}

/** The upstream's latest stored run, as far as artifact `name` is concerned. */
export function locateUpstream(
  producer: ExperimentModel,
  name: string,
): UpstreamLocation | undefined {
  const dir = runStoreOf(producer)?.latestDir(producer);
  if (!dir || !existsSync(join(dir, METADATA_FILE))) return undefined;
  const run = storedRun(dir, producer.name);
  const entry = run.manifest[name];
  return { dir, replicates: run.replicates, step: entry?.step, files: entry?.files ?? new Set() };
}

/**
 * How many replicates a downstream of `producer` runs: as many as the upstream's latest stored
 * run actually has (a `run({ replicates })` override included); what the upstream declares
 * when it has not been stored yet.
 */
export function upstreamReplicates(producer: ExperimentModel): number {
  const dir = runStoreOf(producer)?.latestDir(producer);
  if (dir && existsSync(join(dir, METADATA_FILE))) {
    try {
      return storedRun(dir, producer.name).replicates;
    } catch {
      // an unreadable stored run: fall back to the declaration; reading will say what is wrong
    }
  }
  return producer.datasource.replicates ?? producer.replicates;
}

/** Reads artifact `name` of `producer` for the replicate and condition of `ctx`. */
export function readUpstreamArtifact<T>(
  producer: ExperimentModel,
  name: string,
  step: string | undefined,
  loader: (bytes: Buffer, info: ArtifactFileInfo) => T,
  ctx: FrozenContext,
): T {
  const plugin = runStoreOf(producer);
  const dir = plugin?.latestDir(producer);
  if (!dir) {
    throw new CrystallizeError(
      `Upstream experiment '${producer.name}' has no stored run under '${plugin?.rootDir ?? '(no ArtifactPlugin)'}'. ` +
        'Run it first, or run both through ExperimentGraph.',
    );
  }
  const run = storedRun(dir, producer.name);
  const entry = run.manifest[name];
  const writer = step ?? entry?.step;
  if (!entry || writer === undefined || (step !== undefined && entry.step !== step)) {
    throw new CrystallizeError(
      `Upstream experiment '${producer.name}' stored no artifact '${name}'${step ? ` from step '${step}'` : ''} in ${dir}. ` +
        `Stored: ${Object.keys(run.manifest).join(', ') || '(none)'}. Check the name, and that a step of '${producer.name}' writes it.`,
    );
  }
  const replicate = Number(ctx.get('replicate', 0)) % run.replicates;
  const condition = String(ctx.get('condition', BASELINE_CONDITION));
  let rel = artifactRelPath(replicate, condition, writer, name);
  if (!entry.files.has(rel) && condition !== BASELINE_CONDITION) {
    const fallback = artifactRelPath(replicate, BASELINE_CONDITION, writer, name);
    if (entry.files.has(fallback)) {
      warnOnce(
        ctx.logger,
        `${dir}|${name}|${condition}`,
        `treatment '${condition}' has no '${name}' of its own in upstream '${producer.name}'; using the baseline's`,
      );
      rel = fallback;
    }
  }
  const path = join(dir, rel);
  if (!entry.files.has(rel) || !existsSync(path)) {
    throw new CrystallizeError(
      `Upstream experiment '${producer.name}' has no '${name}' for replicate ${replicate} of '${condition}' (${path}). ` +
        'That replicate may have failed upstream, or retention removed the file; rerun the upstream experiment.',
    );
  }
  return loader(readFileSync(path), { contentType: entry.contentTypes[rel], path });
}
