/*
 * Shared fixtures for the orchestrator tests: small step classes, fresh temp folders, a
 * file-backed step-output cache and a plugin that records the lifecycle.
 */
import 'reflect-metadata';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { type FrozenContext, Param, PipelineStep, Step, withMetrics } from '@crystallize/core';
import {
  ArtifactPlugin,
  BasePlugin,
  LoggingPlugin,
  type CachedStepOutput,
  type Experiment,
  type Result,
  type RunContext,
  type StepOutputCache,
  type StepRecord,
} from '@crystallize/orchestrator';
import { readConditionProvenance, readConditionSummary } from '@crystallize/orchestrator/internal';
import { ProvenanceStore } from '../src/storage/provenance-store.js';

/** A fresh folder under the OS temp dir (never the repo). */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cz-'));
}

/** Plugins that keep a test quiet and its files in a temp folder. */
export function quietPlugins(rootDir = tempDir()): BasePlugin[] {
  return [new ArtifactPlugin({ rootDir }), new LoggingPlugin({ level: 'silent' })];
}

export class ScaleData extends Step<number[], number[]> {
  @Param() factor = 1.0;

  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] {
    return data.map((x) => x * this.factor);
  }
}

export class Normalize extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    const scale = ctx.get('scale_factor', 1.0);
    return data.map((x) => x / scale);
  }
}

export class ComputeSum extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    ctx.metrics.add(
      'sum',
      data.reduce((a, b) => a + b, 0),
    );
    return data;
  }
}

/** Sum returned through withMetrics (data flows on unchanged). */
export class SumWithMetrics extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[]) {
    return withMetrics(data, { total: data.reduce((a, b) => a + b, 0), count: data.length });
  }
}

/**
 * A file-backed {@link StepOutputCache}: `<dir>/<stepKey>/<inputKey>.bin`, v8-serialised. Real
 * files, so a hit really comes from disk — a second, independent implementation of the store
 * contract next to `@crystallize/cache`'s CacheStore.
 */
export class FileStepCache implements StepOutputCache {
  constructor(readonly dir: string = tempDir()) {}

  get(stepKey: string, inputKey: string): CachedStepOutput | undefined {
    const file = join(this.dir, stepKey, `${inputKey}.bin`);
    if (!existsSync(file)) return undefined;
    return deserialize(readFileSync(file)) as CachedStepOutput;
  }

  set(stepKey: string, inputKey: string, entry: CachedStepOutput): void {
    mkdirSync(join(this.dir, stepKey), { recursive: true });
    writeFileSync(join(this.dir, stepKey, `${inputKey}.bin`), serialize(entry));
  }
}

/** Appends every lifecycle hook it sees to `events` (shared across instances if given). */
export class RecordingPlugin extends BasePlugin {
  constructor(readonly events: string[] = []) {
    super();
  }
  override initHook(_e: Experiment): void {
    this.events.push('initHook');
  }
  override beforeRun(_e: Experiment, run: RunContext): void {
    this.events.push(`beforeRun:${run.replicates}x${run.conditions.join(',')}`);
  }
  override beforeReplicate(_e: Experiment, ctx: FrozenContext): void {
    this.events.push(
      `beforeReplicate:${String(ctx.get('condition'))}:${String(ctx.get('replicate'))}`,
    );
  }
  override beforeStep(_e: Experiment, step: Step): void {
    this.events.push(`beforeStep:${step.name}`);
  }
  override afterStep(
    _e: Experiment,
    step: Step,
    _d: unknown,
    _c: FrozenContext,
    rec: StepRecord,
  ): void {
    this.events.push(`afterStep:${step.name}:${rec.cacheHit ? 'hit' : 'ran'}`);
  }
  override afterRun(_e: Experiment, result: Result): void {
    this.events.push(`afterRun:${Object.keys(result.errors).length}`);
  }
}

/** All step records of one condition, replicate by replicate. */
export function recordsOf(result: Result, condition = 'baseline'): StepRecord[][] {
  const reps = result.provenance.ctxChanges[condition] ?? {};
  return Object.keys(reps)
    .map(Number)
    .sort((a, b) => a - b)
    .map((r) => [...(reps[r] ?? [])]);
}

/**
 * Makes a stored run look as runs before the journal stored it: `provenance.jsonl` per condition
 * (from the journal's records) and no journal — so resume can reuse only whole conditions.
 */
export function withoutJournal(dir: string): void {
  for (const condition of readdirSync(dir)) {
    const summary = readConditionSummary(dir, condition);
    if (!summary) continue;
    const store = new ProvenanceStore();
    const provenance = readConditionProvenance(dir, condition, summary);
    for (const [replicate, records] of Object.entries(provenance))
      store.add(condition, Number(replicate), records);
    writeFileSync(
      join(dir, condition, 'provenance.jsonl'),
      `${[...store.lines(condition)].join('\n')}\n`,
    );
  }
  rmSync(join(dir, 'journal.jsonl'));
}
