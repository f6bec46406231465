import { zQuantile } from './quantiles.js';
import type { TestLeaf } from './test-leaves.js';

/** The power every estimate aims at. */
export const TARGET_POWER = 0.8;

/** Replicates that would give 80% power at the observed effect — an estimate. */
export interface PowerEstimate {
  /** Replicates per condition; undefined when it cannot be estimated (see `reason`). */
  readonly replicates: number | undefined;
  /** How it was computed, or why not. */
  readonly method: string;
  readonly reason: string | undefined;
}

export const POWER_METHOD_TWO_SAMPLE =
  'normal approximation for a two-sample t-test: n per condition = 2·(z(1−α/2) + z(0.80))² / d²';
export const POWER_METHOD_PAIRED =
  'normal approximation for a paired t-test: n pairs = (z(1−α/2) + z(0.80))² / d_z²';

/**
 * Replicates per condition for 80% power at the observed standardized effect (Cohen's d,
 * Hedges' g or paired d_z), at the verifier's α and sidedness (z(1−α) when one-sided). Other
 * effects (Cliff's delta, a raw mean difference) are not standardized: no estimate.
 */
export function replicatesForPower(leaf: TestLeaf): PowerEstimate {
  const d = leaf.effect;
  const name = leaf.effectName;
  const paired = name === 'cohens_dz';
  const method = paired ? POWER_METHOD_PAIRED : POWER_METHOD_TWO_SAMPLE;
  if (d === undefined || !(name === 'cohens_d' || name === 'hedges_g' || paired)) {
    return {
      replicates: undefined,
      method,
      reason: `needs a standardized effect (Cohen's d, Hedges' g or d_z); this test reports ${name ?? 'none'}`,
    };
  }
  if (!Number.isFinite(d) || d === 0) {
    return { replicates: undefined, method, reason: 'the observed effect is zero or undefined' };
  }
  const alpha = leaf.alpha ?? 0.05;
  const oneSided = leaf.alternative === 'less' || leaf.alternative === 'greater';
  const zA = zQuantile(oneSided ? 1 - alpha : 1 - alpha / 2);
  const zB = zQuantile(TARGET_POWER);
  const n = ((zA + zB) / d) ** 2 * (paired ? 1 : 2);
  return { replicates: Math.max(2, Math.ceil(n)), method, reason: undefined };
}
