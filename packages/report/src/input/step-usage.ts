import type { StepUsage } from './run-data.js';

/** What `step-timings.json` (written by the deprecated StepTimingPlugin) holds: per step name. */
export type StepTimings = Readonly<
  Record<string, { readonly calls: number; readonly totalMs: number }>
>;

/** The file the StepTimingPlugin writes in a run folder. */
export const STEP_TIMINGS_FILE = 'step-timings.json';

/**
 * Counts calls and cache hits per step name, in first-seen order. A record's numeric
 * `durationMs` (recorded by the runner for every call) times it; only a step none of whose
 * records has one (a run stored before runs recorded times) takes its time from `timings`.
 */
export class StepUsageCounter {
  readonly #byStep = new Map<
    string,
    { calls: number; cacheHits: number; timedCalls: number; totalMs: number }
  >();

  add(step: string, cacheHit: boolean, durationMs?: unknown): void {
    let s = this.#byStep.get(step);
    if (!s) {
      s = { calls: 0, cacheHits: 0, timedCalls: 0, totalMs: 0 };
      this.#byStep.set(step, s);
    }
    s.calls++;
    if (cacheHit) s.cacheHits++;
    if (typeof durationMs === 'number' && Number.isFinite(durationMs)) {
      s.timedCalls++;
      s.totalMs += durationMs;
    }
  }

  result(timings: StepTimings | undefined): StepUsage[] {
    const names = [...this.#byStep.keys()];
    for (const name of Object.keys(timings ?? {})) if (!this.#byStep.has(name)) names.push(name);
    return names.map((step) => {
      const s = this.#byStep.get(step) ?? { calls: 0, cacheHits: 0, timedCalls: 0, totalMs: 0 };
      const t = timings?.[step];
      const timed =
        s.timedCalls > 0
          ? { timedCalls: s.timedCalls, totalMs: s.totalMs }
          : t && t.calls > 0
            ? { timedCalls: t.calls, totalMs: t.totalMs }
            : {};
      return { step, calls: s.calls || (t?.calls ?? 0), cacheHits: s.cacheHits, ...timed };
    });
  }
}
