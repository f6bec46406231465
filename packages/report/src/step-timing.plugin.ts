import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrozenContext, Step } from '@crystallize/core';
import {
  BasePlugin,
  type Experiment,
  type Result,
  type RunContext,
  type StepRecord,
} from '@crystallize/orchestrator';
import { STEP_TIMINGS_FILE, type StepTimings } from './input/step-usage.js';

/**
 * Times every step call (`beforeStep` → `afterStep`, cache hits included) and stores the totals
 * per step in `<run dir>/step-timings.json`.
 *
 * @deprecated The pipeline runner records every call's time (`StepRecord.durationMs`) under every
 * execution backend, and the report takes "time per call" from those records; this plugin is not
 * needed. It is kept so experiments listing it keep working: its hooks run where the steps run
 * (serial and async runs; under ParallelExecution it sees nothing), and the report reads its file
 * only for steps whose records carry no time.
 *
 * @example
 * new Experiment({ ..., plugins: [new StepTimingPlugin()] })
 */
export class StepTimingPlugin extends BasePlugin {
  readonly #started = new WeakMap<FrozenContext, number>();
  #totals = new Map<string, { calls: number; totalMs: number }>();

  /** Totals of the last (or current) run, per step name. */
  get timings(): StepTimings {
    return Object.fromEntries(this.#totals);
  }

  override beforeRun(_experiment: Experiment, _run: RunContext): void {
    this.#totals = new Map();
  }

  override beforeStep(_experiment: Experiment, _step: Step, ctx: FrozenContext): void {
    // One step runs at a time per replicate context, so the context keys the call.
    this.#started.set(ctx, performance.now());
  }

  override afterStep(
    _experiment: Experiment,
    step: Step,
    _data: unknown,
    ctx: FrozenContext,
    record: StepRecord,
  ): void {
    const start = this.#started.get(ctx);
    if (start === undefined) return;
    this.#started.delete(ctx);
    const name = record.step || step.name;
    const t = this.#totals.get(name) ?? { calls: 0, totalMs: 0 };
    t.calls++;
    t.totalMs += performance.now() - start;
    this.#totals.set(name, t);
  }

  override afterRun(_experiment: Experiment, _result: Result, run: RunContext): void {
    if (!run.dir || this.#totals.size === 0) return;
    writeFileSync(join(run.dir, STEP_TIMINGS_FILE), JSON.stringify(this.timings, null, 2));
  }
}
