import type { Ranking } from '@crystallize/core';

/*
 * What `result.metrics` holds: the aggregated metrics per condition and the hypothesis results
 * (classes, so class-transformer rebuilds them in `Result.fromJSON`).
 */

/** Aggregated metrics of one condition: `{ metric: values over replicates, in replicate order }`. */
export class ConditionMetrics {
  metrics: Record<string, unknown[]> = {};
}

/**
 * The standard fields of one treatment's test, lifted from the verifier output (fields the
 * verifier does not report are absent). For a verifier output with several tests (one per metric
 * group, say), the fields are those of the test with the smallest p-value.
 */
export interface HypothesisTreatmentSummary {
  readonly statistic?: number;
  readonly p_value?: number;
  readonly p_value_adjusted?: number;
  readonly effect_size?: number;
  readonly ci_low?: number;
  readonly ci_high?: number;
  readonly significant?: boolean;
  readonly significant_adjusted?: boolean;
  /** 1 for the best treatment; absent when the ranker failed for it. */
  readonly rank?: number;
  /** The ranker's score (lower is better). */
  readonly score?: number;
}

/** A hypothesis tested for every treatment against the baseline. */
export class HypothesisResult {
  name = '';
  /** Verifier output per treatment. */
  results: Record<string, unknown> = {};
  ranking: Ranking = { best: undefined, ranked: [] };
  /** Per treatment: statistic, p-values, effect size, CI, significance and rank. */
  treatments: Record<string, HypothesisTreatmentSummary> = {};
  /** Per-treatment failures of the verifier or ranker (the metrics are still stored). */
  errors: Record<string, string> = {};
}

export class ExperimentMetrics {
  baseline: ConditionMetrics = new ConditionMetrics();
  treatments: Record<string, ConditionMetrics> = {};
  hypotheses: HypothesisResult[] = [];
}
