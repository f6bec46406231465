import { BASELINE_CONDITION, type Hypothesis } from '@crystallize/core';
import { HypothesisResult, type HypothesisTreatmentSummary, type Result } from './result.js';

/** Tests one hypothesis for every treatment. A verifier that throws is reported, never fatal. */
export function verifyHypothesis(
  h: Hypothesis<unknown>,
  result: Result,
  conditions: readonly string[],
): HypothesisResult {
  const out = new HypothesisResult();
  out.name = h.name;
  const baseline = result.metrics.baseline.metrics;
  // "Every baseline metric" of a baseline that recorded none is nothing to test, not a pass.
  const nothing =
    h.metricGroups === undefined && Object.keys(baseline).length === 0
      ? `MissingMetricError: hypothesis '${h.name}' tests every metric the baseline recorded, and it recorded none (did every baseline replicate fail, or does no step call ctx.metrics.add?)`
      : undefined;
  for (const t of conditions) {
    if (t === BASELINE_CONDITION) continue;
    if (nothing) {
      out.errors[t] = nothing;
      continue;
    }
    try {
      out.results[t] = h.verify(baseline, result.metrics.treatments[t]?.metrics ?? {});
    } catch (e) {
      out.errors[t] = `${(e as Error).name}: ${(e as Error).message}`;
    }
  }
  try {
    // Multiple-comparison correction over the treatments (when the hypothesis asks for one).
    out.results = { ...h.adjust(out.results) };
  } catch (e) {
    out.errors['adjust'] = `${(e as Error).name}: ${(e as Error).message}`;
  }
  try {
    out.ranking = h.rankTreatments(out.results);
  } catch (e) {
    out.errors['ranking'] = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const ranks = new Map(out.ranking.ranked.map(([t, score], i) => [t, { rank: i + 1, score }]));
  for (const [t, output] of Object.entries(out.results))
    out.treatments[t] = { ...summarizeTest(output), ...ranks.get(t) };
  return out;
}

const NUMBER_FIELDS = [
  'statistic',
  'p_value',
  'p_value_adjusted',
  'effect_size',
  'ci_low',
  'ci_high',
] as const;
const BOOLEAN_FIELDS = ['significant', 'significant_adjusted'] as const;

/** The tests in a verifier output: the output itself, a list, or a record of them. */
function testsOf(output: unknown): Record<string, unknown>[] {
  if (typeof output !== 'object' || output === null) return [];
  if (Array.isArray(output)) return output.flatMap(testsOf);
  const o = output as Record<string, unknown>;
  if ('p_value' in o || 'statistic' in o) return [o];
  return Object.values(o).filter(
    (v): v is Record<string, unknown> =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && 'p_value' in v,
  );
}

/** Standard fields of the test with the smallest p-value in `output`. */
function summarizeTest(output: unknown): HypothesisTreatmentSummary {
  const tests = testsOf(output);
  const p = (t: Record<string, unknown>): number =>
    typeof t['p_value'] === 'number' && !Number.isNaN(t['p_value']) ? t['p_value'] : Infinity;
  const test = tests.reduce<Record<string, unknown> | undefined>(
    (best, t) => (best === undefined || p(t) < p(best) ? t : best),
    undefined,
  );
  if (!test) return {};
  const out: Record<string, number | boolean> = {};
  for (const f of NUMBER_FIELDS) if (typeof test[f] === 'number') out[f] = test[f];
  for (const f of BOOLEAN_FIELDS) if (typeof test[f] === 'boolean') out[f] = test[f];
  return out as HypothesisTreatmentSummary;
}
