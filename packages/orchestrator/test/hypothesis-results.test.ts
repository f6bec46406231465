/* Issue #10 point 13: hypothesis results are stored beside the metrics, survive Result.fromJSON, and are logged. */
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FrozenContext,
  PipelineStep,
  Step,
  hypothesis,
  treatment,
  verifier,
} from '@crystallize/core';
import { ArtifactPlugin, Experiment, LoggingPlugin, Result } from '@crystallize/orchestrator';
import { tempDir } from './helpers.js';

class Score extends Step<number, number> {
  @PipelineStep()
  run(data: number, ctx: FrozenContext): number {
    ctx.metrics.add('score', data + ctx.get<number>('lift', 0) + Number(ctx.get('replicate')));
    return data;
  }
}

/** A deterministic "test": the mean difference, with a p-value that shrinks as it grows. */
const meanGap = verifier(
  (b, t) => {
    const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const diff = mean(t['score']!) - mean(b['score']!);
    return {
      statistic: diff,
      p_value: 1 / (1 + Math.abs(diff) * 10),
      effect_size: diff / 2,
      ci_low: diff - 1,
      ci_high: diff + 1,
      significant: Math.abs(diff) > 1,
      alpha: 0.05,
      detail: 'kept as the verifier returned it',
    };
  },
  {},
  { name: 'mean_gap' },
);

const bonferroni = {
  method: 'bonferroni',
  adjust: (ps: readonly number[]) => ps.map((p) => Math.min(1, p * ps.length)),
};

function exp(root: string): Experiment {
  return new Experiment({
    name: 'hyp',
    datasource: () => 10,
    pipeline: [Score],
    treatments: [treatment('small', { lift: 0.5 }), treatment('big', { lift: 3 })],
    hypotheses: [
      hypothesis({ verifier: meanGap(), metrics: 'score', name: 'gap', adjust: bonferroni }),
    ],
    replicates: 3,
    plugins: [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })],
    cache: false,
  });
}

describe('hypothesis results', () => {
  it('gives every treatment its statistic, p-values, effect size, CI, significance and rank', async () => {
    const result = await exp(tempDir()).run();
    const h = result.getHypothesis('gap')!;
    expect(h.ranking.best).toBe('big');
    expect(h.treatments['big']).toEqual({
      statistic: 3,
      p_value: 1 / 31,
      p_value_adjusted: 2 / 31,
      effect_size: 1.5,
      ci_low: 2,
      ci_high: 4,
      significant: true,
      significant_adjusted: false,
      rank: 1,
      score: 1 / 31,
    });
    expect(h.treatments['small']).toMatchObject({ statistic: 0.5, rank: 2, significant: false });
  });

  it('writes hypotheses.json beside the metrics of the stored run', async () => {
    const root = tempDir();
    const result = await exp(root).run();
    const stored = JSON.parse(readFileSync(join(root, 'hyp', 'v0', 'hypotheses.json'), 'utf8')) as {
      name: string;
      treatments: Record<string, { rank: number; p_value: number }>;
      ranking: { best: string };
      results: Record<string, { detail: string }>;
    }[];
    expect(stored).toHaveLength(1);
    expect(stored[0]!.name).toBe('gap');
    expect(stored[0]!.ranking.best).toBe('big');
    expect(stored[0]!.treatments['big']).toEqual(
      JSON.parse(JSON.stringify(result.getHypothesis('gap')!.treatments['big'])),
    );
    expect(stored[0]!.results['small']!.detail).toBe('kept as the verifier returned it');
  });

  it('writes no hypotheses.json for a run without hypotheses', async () => {
    const root = tempDir();
    await new Experiment({
      name: 'hyp',
      datasource: () => 10,
      pipeline: [Score],
      plugins: [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })],
      cache: false,
    }).run();
    expect(existsSync(join(root, 'hyp', 'v0', 'hypotheses.json'))).toBe(false);
  });

  it('survives Result.toJSON / Result.fromJSON', async () => {
    const result = await exp(tempDir()).run();
    const back = Result.fromJSON(JSON.stringify(result.toJSON()));
    const h = back.getHypothesis('gap')!;
    expect(h.treatments).toEqual(result.getHypothesis('gap')!.treatments);
    expect(h.ranking).toEqual(result.getHypothesis('gap')!.ranking);
    expect(h.results).toEqual(result.getHypothesis('gap')!.results);
  });

  it('ends the run log with one line per hypothesis naming the best treatment and its p-value', async () => {
    const root = tempDir();
    await exp(root).run();
    const lines = readFileSync(join(root, 'hyp', 'v0', 'run.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes("hypothesis 'gap'"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      "hypothesis 'gap': best treatment 'big' (p = 0.0323, adjusted p = 0.0645, not significant)",
    );
  });
});
