import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type * as Stream from 'node:stream';
import type { DestinationStream, Logger, LevelWithSilent, StreamEntry } from 'pino';
import { rootLogger } from '@crystallize/core';
import { loadPino } from '@crystallize/core/internal';
import { BasePlugin, type RunContext } from './plugin.js';
import { PLUGIN_KIND } from '../model/plugin-kinds.js';
import type { ExperimentModel } from '../model/experiment-model.js';
import type { Result } from '../results/result.js';
import type { StepRecord } from '../model/step-record.js';

export interface LoggingPluginOptions {
  /** pino level name (default: `CRYSTALLIZE_LOG_LEVEL` or 'info'). */
  readonly level?: LevelWithSilent;
  /**
   * Log one line per step call (step, condition, replicate, duration, cache hit) and record
   * context reads in provenance.
   */
  readonly verbose?: boolean;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** One short readable line per log record, for people watching a terminal. */
function humanStream(): DestinationStream {
  // node:stream loads here, with the first run on a terminal, not at import (~1 ms of every process).
  const { Writable } = createRequire(import.meta.url)('node:stream') as typeof Stream;
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        const rec = JSON.parse(chunk.toString()) as {
          level: number;
          msg?: string;
          experiment?: string;
        };
        const level = LEVEL_NAMES[rec.level] ?? String(rec.level);
        process.stderr.write(
          `[crystallize] ${level === 'info' ? '' : `${level.toUpperCase()} `}${rec.msg ?? ''}\n`,
        );
      } catch {
        process.stderr.write(chunk);
      }
      done();
    },
  });
}

/**
 * Structured logs for a run: pino JSON lines to `<run dir>/run.log`, and readable lines on
 * stderr when it is a terminal (JSON lines otherwise, at the same level).
 */
export class LoggingPlugin extends BasePlugin {
  /** Its role, recognised by shape: another copy of the framework finds this plugin too. */
  get [PLUGIN_KIND](): 'logging' {
    return 'logging';
  }

  readonly level: LevelWithSilent;
  readonly verbose: boolean;
  #file: ReturnType<ReturnType<typeof loadPino>['destination']> | undefined;
  #logger: Logger | undefined;

  constructor(options: LoggingPluginOptions = {}) {
    super();
    this.level =
      options.level ??
      (process.env['CRYSTALLIZE_LOG_LEVEL'] as LevelWithSilent | undefined) ??
      'info';
    this.verbose = options.verbose ?? false;
  }

  override beforeRun(experiment: ExperimentModel, run: RunContext): void {
    const { pino } = loadPino();
    const streams: StreamEntry[] = [];
    if (this.level !== 'silent') {
      streams.push({
        level: this.level,
        stream: process.stderr.isTTY ? humanStream() : pino.destination({ fd: 2, sync: true }),
      });
    }
    if (run.dir) {
      mkdirSync(run.dir, { recursive: true });
      this.#file = pino.destination({ dest: join(run.dir, 'run.log'), sync: true });
      streams.push({ level: this.verbose ? 'debug' : 'info', stream: this.#file });
    }
    const logger: Logger =
      streams.length === 0
        ? rootLogger().child({ experiment: experiment.name })
        : pino(
            { level: this.verbose ? 'debug' : 'info', base: { experiment: experiment.name } },
            pino.multistream(streams),
          );
    run.logger = logger;
    this.#logger = logger;
    logger.info(
      `experiment '${experiment.name}': ${run.replicates} replicate(s) x ${run.conditions.length} condition(s)` +
        (run.reused.size ? `, reusing ${[...run.reused].join(', ')}` : '') +
        (run.dir ? `; results in ${run.resultDir ?? run.dir}` : ''),
    );
  }

  override runFailed(experiment: ExperimentModel, error: unknown, run: RunContext): void {
    run.logger.error(
      { err: error },
      `experiment '${experiment.name}' failed: ${(error as Error)?.message ?? String(error)}`,
    );
    this.#close();
  }

  /**
   * Verbose: one line per step call, in the parent process whatever the execution strategy
   * (records arrive as their replicate completes).
   */
  override afterStepRecord(
    _experiment: ExperimentModel,
    record: StepRecord,
    where: { readonly condition: string; readonly replicate: number },
  ): void {
    if (!this.verbose || !this.#logger) return;
    const durationMs =
      record.durationMs === undefined ? undefined : Math.round(record.durationMs * 1000) / 1000;
    this.#logger.info(
      {
        step: record.step,
        condition: where.condition,
        replicate: where.replicate,
        durationMs,
        cacheHit: record.cacheHit,
      },
      `step '${record.step}' (${where.condition}, replicate ${where.replicate}): ` +
        `${durationMs === undefined ? '?' : durationMs} ms, ${record.cacheHit ? 'cache hit' : 'ran'}`,
    );
  }

  #close(): void {
    this.#logger = undefined;
    // The destination writes synchronously (sync: true, nothing buffered): every line is already
    // in the file. flushSync() would only add an fsync, ~2.6 ms at the end of every run.
    this.#file?.end();
    this.#file = undefined;
  }

  override afterRun(experiment: ExperimentModel, result: Result, run: RunContext): void {
    logHypotheses(run.logger, result);
    const errors = Object.keys(result.errors);
    const failedHypotheses = result.failures.hypotheses.map((h) => `'${h.name}'`);
    const msg =
      `experiment '${experiment.name}' finished` +
      (errors.length ? ` with ${errors.length} failed replicate(s): ${errors.join(', ')}` : '') +
      (failedHypotheses.length ? `; failed hypotheses: ${failedHypotheses.join(', ')}` : '') +
      (result.ok
        ? ''
        : result.aborted
          ? '; result.ok is false: it was interrupted (result.aborted)'
          : result.storageErrors.length > 0
            ? '; result.ok is false: results not stored (result.storageErrors)'
            : '; result.ok is false (see result.failures)');
    // A run whose result is not ok must not end on a calm info line.
    if (result.ok) run.logger.info({ errors: errors.length, ok: true }, msg);
    else run.logger.warn({ errors: errors.length, ok: false }, msg);
    this.#close();
  }
}

function formatP(p: number | undefined): string {
  // Three significant digits; JavaScript switches to exponent notation below 1e-6 (3.1e-8).
  return p === undefined ? 'n/a' : String(Number(p.toPrecision(3)));
}

/** One line per hypothesis at the end of a run: its best treatment and that treatment's p-value. */
function logHypotheses(logger: RunContext['logger'], result: Result): void {
  for (const h of result.metrics.hypotheses) {
    const best = h.ranking.best;
    const s = best === undefined ? undefined : h.treatments[best];
    if (best === undefined || s === undefined) {
      const why = Object.entries(h.errors)
        .map(([k, e]) => `${k}: ${e}`)
        .join('; ');
      logger.warn(
        { hypothesis: h.name },
        `hypothesis '${h.name}': no treatment ranked${why ? ` (${why})` : ''}`,
      );
      continue;
    }
    const adjusted =
      s.p_value_adjusted === undefined ? '' : `, adjusted p = ${formatP(s.p_value_adjusted)}`;
    const significant =
      (s.significant_adjusted ?? s.significant) === undefined
        ? ''
        : (s.significant_adjusted ?? s.significant)
          ? ', significant'
          : ', not significant';
    logger.info(
      { hypothesis: h.name, best, p_value: s.p_value, p_value_adjusted: s.p_value_adjusted },
      `hypothesis '${h.name}': best treatment '${best}' (p = ${formatP(s.p_value)}${adjusted}${significant})`,
    );
  }
}
