import { basename } from 'node:path';
import type { LoadOptions } from '@crystallize/config';
import { rootLogger } from '@crystallize/core';
import { ExperimentGraphError, interruptOnSignals, type Result } from '@crystallize/orchestrator';
import { readRunMetadata, versionOf } from '@crystallize/orchestrator/internal';
import type { Project } from '../project.js';
import { resolveTarget } from '../project.js';
import { renderSummary } from '../summary/render-summary.js';
import { hasFailures, summarizeResult, type RunSummary } from '../summary/summary.js';
import { UsageError } from '../usage-error.js';
import { loadTarget, selectTreatments } from './load-target.js';

export interface RunFlags {
  readonly replicates?: number;
  readonly treatments?: string;
  readonly resume?: boolean;
  readonly cache: boolean;
  readonly serial?: boolean;
  readonly workers?: number;
  readonly distributed?: string;
  readonly seed?: number;
  readonly json?: boolean;
  readonly watch?: boolean;
  readonly logLevel?: LoadOptions['logLevel'];
}

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED = 130;

function storedRun(result: Result): { reused: string[]; version: number | undefined } {
  const dir = result.dir;
  if (!dir) return { reused: [], version: undefined };
  let reused: string[] = [];
  try {
    reused = [...(readRunMetadata(dir)?.reused ?? [])];
  } catch {
    reused = [];
  }
  return { reused, version: /v\d+$/.test(dir) ? versionOf(dir) : undefined };
}

function summaries(
  results: Readonly<Record<string, Result>>,
  reusedNodes: ReadonlySet<string>,
): Record<string, RunSummary> {
  const out: Record<string, RunSummary> = {};
  for (const [name, r] of Object.entries(results)) {
    const stored = storedRun(r);
    const conditions = ['baseline', ...Object.keys(r.metrics.treatments)];
    out[name] = summarizeResult(r, {
      reused: reusedNodes.has(name) ? conditions : stored.reused,
      ...(stored.version !== undefined ? { version: stored.version } : {}),
    });
  }
  return out;
}

/**
 * `--distributed URL`: a DistributedExecution for folder experiments, its module and folder
 * paths relative to the project root (workers started with the same root rebuild them).
 */
async function distributedExecution(
  p: Project,
  url: string,
  progress: boolean,
  level: NonNullable<LoadOptions['logLevel']>,
): Promise<NonNullable<LoadOptions['executionPlugin']>> {
  const { DistributedExecution } = await import('@crystallize/distributed');
  // The submitter logs at the run's level (warnings only when piped), like the run itself.
  const logger = rootLogger().child({}, { level });
  try {
    return new DistributedExecution({ connection: url, root: p.root, progress, logger });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`--distributed: ${e.message}`);
    throw e;
  }
}

/** `crystallize run <target>`: runs, prints the summary (or JSON), returns the exit code. */
export async function runCommand(p: Project, target: string, flags: RunFlags): Promise<number> {
  if (flags.serial && flags.workers !== undefined)
    throw new UsageError('--serial and --workers exclude each other: pick one.');
  if (flags.distributed !== undefined && (flags.serial || flags.workers !== undefined))
    throw new UsageError(
      '--distributed runs replicates on workers: leave out --serial and --workers.',
    );
  const t = resolveTarget(p, target);
  const tty = process.stderr.isTTY === true;
  const logLevel: NonNullable<LoadOptions['logLevel']> =
    flags.logLevel ??
    (process.env['CRYSTALLIZE_LOG_LEVEL'] as LoadOptions['logLevel']) ??
    (tty ? 'info' : 'warn');
  const options: LoadOptions = {
    dataDir: p.dataDir,
    ...(flags.serial ? { execution: 'serial' as const } : {}),
    ...(flags.workers !== undefined
      ? { execution: 'parallel' as const, workers: flags.workers }
      : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    cache: flags.cache,
    progress: tty && !flags.json,
    logLevel,
    ...(flags.distributed !== undefined
      ? {
          executionPlugin: await distributedExecution(
            p,
            flags.distributed,
            tty && !flags.json,
            logLevel,
          ),
        }
      : {}),
  };
  const loaded = await loadTarget(t, options);
  if (
    t.kind === 'module' &&
    (flags.serial ||
      flags.workers !== undefined ||
      flags.distributed !== undefined ||
      flags.seed !== undefined ||
      !flags.cache)
  ) {
    process.stderr.write(
      `note: --serial, --workers, --distributed, --seed and --no-cache apply to folder experiments; ${basename(t.file)} sets its own plugins.\n`,
    );
  }
  const treatments = selectTreatments(loaded.experiments, flags.treatments);
  const strategy = flags.resume ? ('resume' as const) : ('rerun' as const);
  // Ctrl-C once: no new replicates, running ones finish and are stored; twice: stop at once.
  const { drain, signal, dispose } = interruptOnSignals({ exitOnThird: INTERRUPTED });
  const results: Record<string, Result> = {};
  const reusedNodes = new Set<string>();
  const problems: string[] = [];
  try {
    for (const graph of loaded.graphs) {
      if (drain.aborted || signal.aborted) break;
      try {
        const done = await graph.run({
          strategy,
          signal,
          drain,
          ...(flags.replicates !== undefined ? { replicates: flags.replicates } : {}),
          ...(treatments ? { treatments } : {}),
          onEvent: (e) => {
            if (e.type === 'reused') reusedNodes.add(e.experiment);
            if (tty && !flags.json && e.type !== 'completed' && e.type !== 'reused')
              process.stderr.write(
                `[graph] ${e.experiment}: ${e.type}${e.type === 'skipped' ? ` (${e.reason})` : ''}\n`,
              );
          },
        });
        Object.assign(results, done);
      } catch (e) {
        if (!(e instanceof ExperimentGraphError)) throw e;
        Object.assign(results, e.results);
        for (const [n, err] of Object.entries(e.failures))
          problems.push(`'${n}' failed: ${err.message}`);
        for (const [n, why] of Object.entries(e.skipped)) problems.push(`'${n}' skipped: ${why}`);
      }
    }
    if (loaded.graphs.length === 0) {
      const exp = loaded.experiments[0];
      if (exp) {
        results[exp.name] = await exp.run({
          strategy,
          signal,
          drain,
          ...(flags.replicates !== undefined ? { replicates: flags.replicates } : {}),
          ...(treatments ? { treatments } : {}),
        });
      }
    }
  } finally {
    dispose();
  }
  const interrupted =
    drain.aborted || signal.aborted || Object.values(results).some((r) => r.aborted);
  const byName = summaries(results, reusedNodes);
  const failed =
    problems.length > 0 ||
    Object.values(byName).some(hasFailures) ||
    Object.values(results).some((r) => r.storageErrors.length > 0);
  if (flags.json) {
    const out = {
      ok: !failed && !interrupted,
      interrupted,
      problems,
      experiments: Object.fromEntries(
        Object.entries(results).map(([n, r]) => [n, { summary: byName[n], result: r.toJSON() }]),
      ),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(
      Object.values(byName)
        .map((s) => renderSummary(s, 'table'))
        .join('\n'),
    );
    for (const line of problems) process.stderr.write(`${line}\n`);
  }
  for (const [name, r] of Object.entries(results))
    for (const e of r.storageErrors)
      process.stderr.write(`'${name}': results not stored: ${e.message}\n`);
  if (interrupted) {
    process.stderr.write(
      'run interrupted: completed work is stored; `crystallize run --resume` picks it up.\n',
    );
    return INTERRUPTED;
  }
  return failed ? 1 : 0;
}
