import 'reflect-metadata';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FrozenContext,
  Param,
  PipelineStep,
  Step,
  type Treatment,
  hypothesis,
  treatment,
  verifier,
} from '@crystallize/core';
import {
  ArtifactPlugin,
  Experiment,
  LoggingPlugin,
  SeedPlugin,
  type BasePlugin,
} from '@crystallize/orchestrator';
import { tempDir, withoutJournal } from './helpers.js';

/** Counts its calls per condition, so a test can prove a reused condition did not run again. */
const ran: Record<string, number> = {};

class Counting extends Step<number[], number[]> {
  @Param() offset = 0;
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    const c = String(ctx.get('condition'));
    ran[c] = (ran[c] ?? 0) + 1;
    if (ctx.get('fail_rep') === ctx.get('replicate')) throw new Error('planned');
    const shift = ctx.get<number>('shift', 0);
    ctx.metrics.add(
      'sum',
      data.reduce((a, b) => a + b + shift + this.offset, 0),
    );
    ctx.metrics.add('draw', ctx.rng.next());
    return data;
  }
}

const gap = verifier(
  (b, t) => ({ diff: t['sum']![0]! - b['sum']![0]!, p_value: 1 }),
  {},
  { name: 'gap' },
);

function exp(
  root: string,
  opts: {
    treatments?: Treatment[];
    replicates?: number;
    offset?: number;
    plugins?: BasePlugin[];
    hypotheses?: boolean;
  } = {},
): Experiment {
  return new Experiment({
    name: 'res',
    datasource: () => [1, 2, 3],
    pipeline: [Counting.with({ offset: opts.offset ?? 0 })],
    treatments: opts.treatments ?? [treatment('a', { shift: 1 }), treatment('b', { shift: 2 })],
    hypotheses: opts.hypotheses
      ? [hypothesis({ verifier: gap(), metrics: 'sum', name: 'gap' }, (r) => -r.diff)]
      : [],
    replicates: opts.replicates ?? 2,
    plugins: [
      ...(opts.plugins ?? []),
      new ArtifactPlugin({ rootDir: root }),
      new LoggingPlugin({ level: 'silent' }),
    ],
    cache: false,
  });
}

function reset(): void {
  for (const k of Object.keys(ran)) delete ran[k];
}

function rerunLines(root: string): string[] {
  return readFileSync(join(root, 'res', 'v0', 'run.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { msg: string }).msg)
    .filter((m) => m.startsWith('resume:'));
}

beforeEach(reset);

describe("strategy: 'resume'", () => {
  it('reuses every completed condition with a matching fingerprint and runs nothing', async () => {
    const root = tempDir();
    const first = await exp(root).run();
    expect(ran).toEqual({ baseline: 2, a: 2, b: 2 });
    reset();
    const resumed = await exp(root).run({ strategy: 'resume' });
    expect(ran).toEqual({});
    expect(resumed.metrics.baseline.metrics).toEqual(first.metrics.baseline.metrics);
    expect(resumed.metrics.treatments['a']!.metrics).toEqual(
      first.metrics.treatments['a']!.metrics,
    );
    expect(resumed.provenance.seeds).toEqual(first.provenance.seeds);
    expect(resumed.provenance.ctxChanges).toEqual(first.provenance.ctxChanges);
    const meta = JSON.parse(readFileSync(join(root, 'res', 'v0', 'metadata.json'), 'utf8')) as {
      reused: string[];
      strategy: string;
    };
    expect(meta.reused.sort()).toEqual(['a', 'b', 'baseline']);
    expect(meta.strategy).toBe('resume');
  });

  it('runs only the conditions that are not stored yet', async () => {
    const root = tempDir();
    await exp(root).run();
    reset();
    const more = [
      treatment('a', { shift: 1 }),
      treatment('b', { shift: 2 }),
      treatment('c', { shift: 3 }),
    ];
    const resumed = await exp(root, { treatments: more }).run({ strategy: 'resume' });
    expect(ran).toEqual({ c: 2 });
    expect(resumed.metrics.treatments['c']!.metrics['sum']).toEqual([15, 15]);
    expect(resumed.metrics.treatments['b']!.metrics['sum']).toEqual([12, 12]);
    expect(rerunLines(root)).toEqual(["resume: rerunning 'c': no completed results stored"]);
  });

  it('reruns a condition that did not complete (it had errors)', async () => {
    const root = tempDir();
    const first = await exp(root, {
      treatments: [treatment('a', { shift: 1 }), treatment('b', { shift: 2, fail_rep: 1 })],
    }).run();
    expect(Object.keys(first.errors)).toEqual(['b_rep_1']);
    reset();
    // The failing definition is still the same: b's failed replicate reruns (and fails again);
    // a, and b's replicate that succeeded (from the run journal), are reused.
    await exp(root, {
      treatments: [treatment('a', { shift: 1 }), treatment('b', { shift: 2, fail_rep: 1 })],
    }).run({ strategy: 'resume' });
    expect(ran).toEqual({ b: 1 });
    expect(rerunLines(root)).toEqual([
      "resume: rerunning 'b': no completed results stored; reused 1 of 2 replicates from the journal (1 journalled as failed), running 1",
    ]);
  });

  it('reruns a condition whose treatment definition changed and says why', async () => {
    const root = tempDir();
    await exp(root).run();
    reset();
    const resumed = await exp(root, {
      treatments: [treatment('a', { shift: 1 }), treatment('b', { shift: 5 })],
    }).run({ strategy: 'resume' });
    expect(ran).toEqual({ b: 2 });
    expect(resumed.metrics.treatments['b']!.metrics['sum']).toEqual([21, 21]);
    expect(rerunLines(root)).toEqual(["resume: rerunning 'b': treatment definition changed"]);
  });

  it('reruns everything when the replicate count changes, naming both counts', async () => {
    const root = tempDir();
    await exp(root).run();
    reset();
    const resumed = await exp(root, { replicates: 3 }).run({ strategy: 'resume' });
    expect(ran).toEqual({ baseline: 3, a: 3, b: 3 });
    expect(resumed.metrics.baseline.metrics['sum']).toHaveLength(3);
    expect(rerunLines(root)).toEqual(
      ['baseline', 'a', 'b'].map(
        (c) => `resume: rerunning '${c}': replicate count changed (2 -> 3)`,
      ),
    );
  });

  it('reruns everything when a step parameter changes', async () => {
    const root = tempDir();
    await exp(root).run();
    reset();
    const resumed = await exp(root, { offset: 1 }).run({ strategy: 'resume' });
    expect(ran).toEqual({ baseline: 2, a: 2, b: 2 });
    expect(resumed.metrics.baseline.metrics['sum']).toEqual([9, 9]);
    expect(rerunLines(root)).toContain(
      "resume: rerunning 'baseline': pipeline code or parameters changed",
    );
  });

  it('reruns everything when the master seed changes', async () => {
    const root = tempDir();
    const first = await exp(root).run();
    reset();
    const resumed = await exp(root, { plugins: [new SeedPlugin({ seed: 7 })] }).run({
      strategy: 'resume',
    });
    expect(ran).toEqual({ baseline: 2, a: 2, b: 2 });
    expect(resumed.metrics.baseline.metrics['draw']).not.toEqual(
      first.metrics.baseline.metrics['draw'],
    );
    expect(rerunLines(root)).toContain("resume: rerunning 'a': seed changed (42 -> 7)");
  });

  it('verifies hypotheses over the merged metrics of reused and new conditions', async () => {
    const root = tempDir();
    await exp(root, { treatments: [treatment('a', { shift: 1 })], hypotheses: true }).run();
    reset();
    const resumed = await exp(root, {
      treatments: [treatment('a', { shift: 1 }), treatment('b', { shift: 2 })],
      hypotheses: true,
    }).run({ strategy: 'resume' });
    expect(ran).toEqual({ b: 2 });
    const h = resumed.getHypothesis('gap')!;
    expect(h.results).toEqual({ a: { diff: 3, p_value: 1 }, b: { diff: 6, p_value: 1 } });
    expect(h.ranking.best).toBe('b');
  });

  it('runs everything when nothing was stored before', async () => {
    const root = tempDir();
    await exp(root).run({ strategy: 'resume' });
    expect(ran).toEqual({ baseline: 2, a: 2, b: 2 });
  });

  it('treats a condition whose marker was removed as not completed', async () => {
    const root = tempDir();
    await exp(root).run();
    rmSync(join(root, 'res', 'v0', 'a', '.crystallize_complete'));
    // Without the journal too (its lines would let resume reuse a's replicates one by one).
    withoutJournal(join(root, 'res', 'v0'));
    reset();
    await exp(root).run({ strategy: 'resume' });
    expect(ran).toEqual({ a: 2 });
  });
});
