/**
 * `pnpm bench` options: `[--quick] [--tier warm|cold|all] [--processes N] [--python] [ID ...]`.
 */
import { CrystallizeError } from '@crystallize/core';
import { TIERS, type Tier, type Workload } from './harness.js';

export interface BenchOptions {
  /** Small sizes and few runs: the CI smoke run. */
  readonly quick: boolean;
  /** Tiers to run, warm first. */
  readonly tiers: readonly Tier[];
  /** Fresh processes per cold-tier figure (default 5, or 2 with `--quick`). */
  readonly processes: number;
  /** Run the Python crystallize-ml anchor beside the cold tier (needs `CZ_SRC`). */
  readonly python: boolean;
  /** Workload ids asked for (upper case); empty means all. */
  readonly ids: readonly string[];
}

/** A `pnpm bench` command line that cannot be run; the message says how to fix it. */
export class BenchUsageError extends CrystallizeError {}

export const USAGE =
  'usage: pnpm bench [--quick] [--tier warm|cold|all] [--processes N] [--python] [ID ...]';

export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let python = false;
  let tier = 'all';
  let processes: number | undefined;
  const ids: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') ? arg.split('=', 2) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new BenchUsageError(`${flag} needs a value. ${USAGE}`);
      return v;
    };
    if (flag === '--quick') quick = true;
    else if (flag === '--python') python = true;
    else if (flag === '--tier') tier = value();
    else if (flag === '--processes') {
      const v = value();
      processes = Number(v);
      if (!Number.isInteger(processes) || processes < 1) {
        throw new BenchUsageError(`--processes must be a whole number ≥ 1, got '${v}'. ${USAGE}`);
      }
    } else if (flag!.startsWith('--')) {
      throw new BenchUsageError(`Unknown option ${flag}. ${USAGE}`);
    } else ids.push(arg.toUpperCase());
  }
  if (tier !== 'all' && !TIERS.includes(tier as Tier)) {
    throw new BenchUsageError(`Unknown tier '${tier}': use warm, cold or all. ${USAGE}`);
  }
  const tiers = tier === 'all' ? TIERS : [tier as Tier];
  if (python && !tiers.includes('cold')) {
    throw new BenchUsageError(
      '--python runs the Python anchor beside the cold tier; it cannot be combined with ' +
        '--tier warm. Use --tier cold or leave --tier out.',
    );
  }
  return { quick, tiers, processes: processes ?? (quick ? 2 : 5), python, ids };
}

/** The workloads `options` asks for, warm tier first, in their listed order. */
export function selectWorkloads(
  workloads: readonly Workload[],
  options: Pick<BenchOptions, 'tiers' | 'ids'>,
): Workload[] {
  const inTiers = workloads.filter((w) => options.tiers.includes(w.tier));
  const unknown = options.ids.filter((id) => !inTiers.some((w) => w.id === id));
  if (unknown.length > 0) {
    const known = (t: Tier): string =>
      `${t}: ${workloads
        .filter((w) => w.tier === t)
        .map((w) => w.id)
        .join(', ')}`;
    throw new BenchUsageError(
      `No workload ${unknown.join(', ')} in tier ${options.tiers.join(' and ')}; ` +
        `known ids (${TIERS.map(known).join('; ')}).`,
    );
  }
  return options.tiers.flatMap((t) =>
    inTiers.filter((w) => w.tier === t && (options.ids.length === 0 || options.ids.includes(w.id))),
  );
}
