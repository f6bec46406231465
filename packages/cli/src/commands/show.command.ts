import { join } from 'node:path';
import { ConfigError, loadExperiment, readFolderInfo } from '@crystallize/config';
import type { Experiment } from '@crystallize/orchestrator';
import {
  listVersions,
  readRunMetadata,
  readStoredRun,
  versionDir,
  type StoredRun,
} from '@crystallize/orchestrator/internal';
import { readStoredHypotheses } from '@crystallize/report';
import { resolveTarget, type Project } from '../project.js';
import { renderSummary, type SummaryFormat } from '../summary/render-summary.js';
import {
  metricRows,
  summarizeHypothesis,
  type HypothesisSummary,
  type RunSummary,
} from '../summary/summary.js';
import { UsageError } from '../usage-error.js';

/** Hypotheses verified again over stored metrics (the verifiers are deterministic). */
function verifyStored(
  exp: Experiment | undefined,
  metrics: Record<string, Record<string, readonly unknown[]>>,
): HypothesisSummary[] {
  if (!exp) return [];
  const baseline = metrics['baseline'];
  if (!baseline) return [];
  return exp.hypotheses.map((h) => {
    const results: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    for (const [t, m] of Object.entries(metrics)) {
      if (t === 'baseline') continue;
      try {
        results[t] = h.verify(baseline, m);
      } catch (e) {
        errors[t] = (e as Error).message;
      }
    }
    let adjusted: Record<string, unknown> = results;
    let ranking: { best: string | undefined; ranked: readonly (readonly [string, number])[] } = {
      best: undefined,
      ranked: [],
    };
    try {
      adjusted = { ...h.adjust(results) };
      ranking = h.rankTreatments(results);
    } catch (e) {
      errors['(ranking)'] = (e as Error).message;
    }
    return summarizeHypothesis({ name: h.name, results: adjusted, ranking, errors });
  });
}

/**
 * The run's own `hypotheses.json` when it has one (what the run computed, whatever the config
 * says now); for runs stored before runs wrote that file, the current hypotheses verified again.
 */
function hypothesesOf(
  v: StoredRun,
  exp: Experiment | undefined,
  metrics: Record<string, Record<string, readonly unknown[]>>,
): Pick<RunSummary, 'hypotheses' | 'hypothesesSource'> {
  const stored = readStoredHypotheses(v.dir);
  if (stored !== undefined)
    return { hypotheses: stored.map(summarizeHypothesis), hypothesesSource: 'stored' };
  const recomputed = verifyStored(exp, metrics);
  return recomputed.length
    ? { hypotheses: recomputed, hypothesesSource: 'recomputed' }
    : { hypotheses: [] };
}

function summaryOf(name: string, v: StoredRun, exp: Experiment | undefined): RunSummary {
  const metrics: Record<string, Record<string, readonly unknown[]>> = {};
  const errors: Record<string, string> = {};
  const artifacts: Record<string, string[]> = {};
  for (const [condition, c] of Object.entries(v.conditions)) {
    metrics[condition] = { ...c.metrics };
    for (const [k, e] of Object.entries(c.errors)) errors[k] = e.message;
    artifacts[condition] = c.artifacts.map((a) => a.path);
  }
  return {
    experiment: name,
    dir: v.dir,
    version: v.version,
    conditions: Object.keys(metrics),
    metrics: metricRows(metrics),
    ...hypothesesOf(v, exp, metrics),
    errors,
    reused: [...(v.metadata.reused ?? [])],
    cache: undefined,
    artifacts,
  };
}

/** `crystallize show <target>`: the stored results, nothing re-run. */
export async function showCommand(
  p: Project,
  target: string,
  flags: { version?: number; allVersions?: boolean; format: SummaryFormat },
): Promise<number> {
  const t = resolveTarget(p, target);
  if (t.kind !== 'folder')
    throw new UsageError(
      `show takes one experiment folder; '${target}' is ${t.kind === 'graph' ? 'a folder of experiments' : 'a module'}.`,
    );
  const name = readFolderInfo(t.folder).name;
  let exp: Experiment | undefined;
  try {
    exp = await loadExperiment(t.folder, { dataDir: p.dataDir, logLevel: 'silent' });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(
      `note: ${name}'s config has problems, so hypotheses of runs stored without hypotheses.json are not shown:\n${e.message}\n`,
    );
  }
  const expDir = join(p.dataDir, exp?.name ?? name);
  // A version whose run never finished (killed before it wrote metadata.json) has nothing to show.
  const versions = listVersions(expDir).filter((v) => readRunMetadata(versionDir(expDir, v)));
  if (versions.length === 0)
    throw new UsageError(
      `no stored results for '${name}' in ${expDir}. Run it first: crystallize run ${target}`,
    );
  let chosen: number[];
  if (flags.allVersions) chosen = versions;
  else if (flags.version !== undefined) {
    if (!versions.includes(flags.version))
      throw new UsageError(
        `'${name}' has no stored version ${flags.version} (or its run never finished: \`crystallize run ${target} --resume\` completes it); stored: ${versions.map((v) => `v${v}`).join(', ')}.`,
      );
    chosen = [flags.version];
  } else chosen = [versions[versions.length - 1] as number];
  const summaries = chosen.map((v) =>
    summaryOf(exp?.name ?? name, readStoredRun(versionDir(expDir, v)) as StoredRun, exp),
  );
  if (flags.format === 'json') {
    process.stdout.write(
      `${JSON.stringify(flags.allVersions ? summaries : summaries[0], null, 2)}\n`,
    );
  } else {
    process.stdout.write(summaries.map((s) => renderSummary(s, flags.format)).join('\n'));
  }
  return 0;
}
