import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParallelExecution, Result } from '@crystallize/orchestrator';
import { readConditionProvenance, readConditionSummary } from '@crystallize/orchestrator/internal';
import { STEP_TIMINGS_FILE, readStoredRun, renderReport, type StepUsage } from '../src/index.js';
import { runDataFromResult } from '../src/input/from-result.js';
import {
  PARALLEL_REPLICATES,
  PARALLEL_ROOT,
  parallelTimedExp,
} from './fixtures/parallel-timed-experiment.js';

/** Worker start-up and a TypeScript loader make these slower than unit tests. */
const SLOW = 60_000;
const STEPS = ['Scale', 'Busy', 'Score'];
const CALLS = 2 * PARALLEL_REPLICATES; // baseline and 'double'

let cold: Result;
let warm: Result;
beforeAll(async () => {
  cold = await parallelTimedExp.run();
  warm = await parallelTimedExp.run(); // Scale is cacheable: every call is a hit
}, SLOW);

afterAll(async () => {
  await (parallelTimedExp.execution as ParallelExecution).close();
  rmSync(PARALLEL_ROOT, { recursive: true, force: true });
}, SLOW);

/** Every step was called `CALLS` times and every call has a time. */
function expectEveryCallTimed(steps: readonly StepUsage[]): void {
  expect(steps.map((s) => s.step)).toEqual(STEPS);
  for (const s of steps) {
    expect(s).toMatchObject({ calls: CALLS, timedCalls: CALLS });
    expect(s.totalMs).toBeGreaterThan(0);
  }
}

describe('step times recorded by the runner', () => {
  it('a ParallelExecution run (worker threads) has a time per call for every step in its Result', () => {
    expectEveryCallTimed(runDataFromResult(cold).steps);
    for (const reps of Object.values(cold.provenance.ctxChanges)) {
      for (const records of Object.values(reps)) {
        for (const r of records) expect(r.durationMs).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('a stored ParallelExecution run has a time per call for every step in its stored provenance, with no plugin and no step-timings.json', () => {
    expect(existsSync(join(cold.dir as string, STEP_TIMINGS_FILE))).toBe(false);
    expectEveryCallTimed(readStoredRun(cold.dir as string).steps);
  });

  it('the report of a ParallelExecution run fills the time-per-call column for every step', async () => {
    for (const input of [cold, cold.dir as string]) {
      const html = await renderReport(input);
      for (const step of STEPS) {
        expect(html).toMatch(new RegExp(`<tr data-step="${step}">[^\\n]*? ms</td>`));
      }
      expect(html).not.toContain('not recorded');
      expect(html).not.toContain('StepTimingPlugin');
    }
  });

  it('times cache hits too: the warm run has a time for each hit of the cacheable step', () => {
    for (const steps of [runDataFromResult(warm).steps, readStoredRun(warm.dir as string).steps]) {
      expectEveryCallTimed(steps);
      expect(steps.find((s) => s.step === 'Scale')).toMatchObject({ cacheHits: CALLS });
    }
  });

  it('a run stored before runs recorded times says time was not recorded', async () => {
    const old = join(mkdtempSync(join(tmpdir(), 'cz-report-untimed-')), 'v0');
    cpSync(cold.dir as string, old, { recursive: true });
    // What such a run left: provenance.jsonl per condition with no times, and no journal.
    for (const c of readdirSync(old, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const summary = readConditionSummary(old, c.name);
      if (!summary) continue;
      const lines = [JSON.stringify({ format: 'crystallize-provenance/1', steps: [] })];
      const provenance = readConditionProvenance(old, c.name, summary);
      expect(Object.keys(provenance)).toHaveLength(summary.replicates);
      for (const [replicate, records] of Object.entries(provenance)) {
        const untimed = records.map(({ durationMs: _timed, ...r }) => r);
        lines.push(JSON.stringify({ replicate: Number(replicate), records: untimed }));
      }
      writeFileSync(join(old, c.name, 'provenance.jsonl'), `${lines.join('\n')}\n`);
    }
    rmSync(join(old, 'journal.jsonl'));
    const steps = readStoredRun(old).steps;
    expect(steps.map((s) => [s.step, s.calls, s.timedCalls])).toEqual(
      STEPS.map((s) => [s, CALLS, undefined]),
    );
    const html = await renderReport(old);
    expect(html).toContain('<td class="muted">not recorded</td>');
    expect(html).toContain('stored before');
  });
});
