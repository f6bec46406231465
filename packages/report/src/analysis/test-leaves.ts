import { zQuantile } from './quantiles.js';

/** One test inside a verifier output (a metric of a group, or the whole output). */
export interface TestLeaf {
  /** '' for a single test; the metric name, or `group 2 · metric`, inside larger outputs. */
  readonly label: string;
  readonly test: string | undefined;
  readonly statistic: number | undefined;
  readonly pValue: number | undefined;
  readonly pValueAdjusted: number | undefined;
  readonly significant: boolean | undefined;
  readonly alpha: number | undefined;
  readonly alternative: string | undefined;
  readonly nBaseline: number | undefined;
  readonly nTreatment: number | undefined;
  /** The effect plotted: the reported effect size, else the mean difference or statistic. */
  readonly effect: number | undefined;
  /** What `effect` is: 'cohens_d', 'hedges_g', 'cohens_dz', 'cliffs_delta', 'mean_diff', ... */
  readonly effectName: string | undefined;
  /** 95% (or the verifier's confidence) interval of `effect`, when known. */
  readonly ciLow: number | undefined;
  readonly ciHigh: number | undefined;
  /** 'reported' by the verifier, or 'normal approximation' computed here. */
  readonly ciSource: 'reported' | 'normal approximation' | undefined;
}

type Fields = Readonly<Record<string, unknown>>;

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null;
const isTest = (v: unknown): v is Fields => isObject(v) && typeof v['p_value'] === 'number';

/**
 * The tests in a verifier output: a test result itself, `{ metric: result }` (one test per
 * metric), or a list of either (one per metric group). Anything else yields no leaves.
 */
export function testLeaves(output: unknown, label = ''): TestLeaf[] {
  if (isTest(output)) return [leaf(output, label)];
  if (Array.isArray(output)) {
    return output.flatMap((o, i) =>
      testLeaves(o, output.length === 1 ? label : join(label, `group ${i + 1}`)),
    );
  }
  if (isObject(output)) {
    return Object.entries(output).flatMap(([k, v]) =>
      isTest(v) || Array.isArray(v) ? testLeaves(v, join(label, k)) : [],
    );
  }
  return [];
}

function join(a: string, b: string): string {
  return a ? `${a} · ${b}` : b;
}

function leaf(r: Fields, label: string): TestLeaf {
  const base = {
    label,
    test: typeof r['test'] === 'string' ? r['test'] : undefined,
    statistic: num(r['statistic']),
    pValue: num(r['p_value']),
    pValueAdjusted: num(r['p_value_adjusted']),
    significant:
      typeof r['significant_adjusted'] === 'boolean'
        ? r['significant_adjusted']
        : typeof r['significant'] === 'boolean'
          ? r['significant']
          : undefined,
    alpha: num(r['alpha']),
    alternative: typeof r['alternative'] === 'string' ? r['alternative'] : undefined,
    nBaseline: num(r['n_baseline']),
    nTreatment: num(r['n_treatment']),
  };
  return { ...base, ...effectOf(r, base.nBaseline, base.nTreatment) };
}

type Effect = Pick<TestLeaf, 'effect' | 'effectName' | 'ciLow' | 'ciHigh' | 'ciSource'>;

/**
 * The effect and its interval. `ci_low`/`ci_high` of a t-test belong to the mean difference,
 * not to Cohen's d, so a standardized effect without its own interval gets the normal
 * approximation of its standard error (Hedges & Olkin 1985):
 * `se(d) = √((n₁+n₂)/(n₁n₂) + d²/(2(n₁+n₂)))`, paired `se(d_z) = √(1/n + d_z²/(2n))`.
 */
function effectOf(r: Fields, n1: number | undefined, n2: number | undefined): Effect {
  const size = num(r['effect_size']);
  const name = typeof r['effect_size_name'] === 'string' ? r['effect_size_name'] : undefined;
  // JSON has no Infinity: a one-sided interval comes back from results files with a null end.
  const open = r['ci_low'] === null || r['ci_high'] === null;
  const low = r['ci_low'] === null && open ? -Infinity : num(r['ci_low']);
  const high = r['ci_high'] === null && open ? Infinity : num(r['ci_high']);
  const reported = (effect: number, effectName: string): Effect =>
    low !== undefined && high !== undefined
      ? { effect, effectName, ciLow: low, ciHigh: high, ciSource: 'reported' }
      : none(effect, effectName);
  if (size !== undefined && name === 'mean_diff') return reported(size, name);
  if (size !== undefined) {
    const ownLow = num(r['effect_size_ci_low']);
    const ownHigh = num(r['effect_size_ci_high']);
    if (ownLow !== undefined && ownHigh !== undefined) {
      return {
        effect: size,
        effectName: name,
        ciLow: ownLow,
        ciHigh: ownHigh,
        ciSource: 'reported',
      };
    }
    const z = zQuantile(0.975);
    if ((name === 'cohens_d' || name === 'hedges_g') && n1 && n2 && Number.isFinite(size)) {
      const se = Math.sqrt((n1 + n2) / (n1 * n2) + (size * size) / (2 * (n1 + n2)));
      return approx(size, name, z * se);
    }
    if (name === 'cohens_dz' && n1 && Number.isFinite(size)) {
      const se = Math.sqrt(1 / n1 + (size * size) / (2 * n1));
      return approx(size, name, z * se);
    }
    return none(size, name ?? 'effect_size');
  }
  const diff = num(r['mean_diff']);
  if (diff !== undefined) return reported(diff, 'mean_diff');
  const stat = num(r['statistic']);
  if (stat !== undefined && low !== undefined && high !== undefined) {
    return reported(stat, 'statistic');
  }
  return {
    effect: undefined,
    effectName: undefined,
    ciLow: undefined,
    ciHigh: undefined,
    ciSource: undefined,
  };
}

function approx(effect: number, effectName: string, half: number): Effect {
  return {
    effect,
    effectName,
    ciLow: effect - half,
    ciHigh: effect + half,
    ciSource: 'normal approximation',
  };
}

function none(effect: number, effectName: string): Effect {
  return { effect, effectName, ciLow: undefined, ciHigh: undefined, ciSource: undefined };
}
