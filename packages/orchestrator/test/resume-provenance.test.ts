/* Issue #10 point 14: a condition reused by resume says so in provenance and printTree. */
import 'reflect-metadata';
import { type FrozenContext, PipelineStep, Step, treatment } from '@crystallize/core';
import { ArtifactPlugin, Experiment, LoggingPlugin, Result } from '@crystallize/orchestrator';
import { tempDir } from './helpers.js';

class Sum extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    ctx.metrics.add(
      'sum',
      data.reduce((a, b) => a + b + ctx.get<number>('shift', 0), 0),
    );
    return data;
  }
}

function exp(root: string, treatments = [treatment('a', { shift: 1 })]): Experiment {
  return new Experiment({
    name: 'reuse',
    datasource: () => [1, 2, 3],
    pipeline: [Sum],
    treatments,
    plugins: [
      new ArtifactPlugin({ rootDir: root, versioned: true, retention: 5 }),
      new LoggingPlugin({ level: 'silent' }),
    ],
    cache: false,
  });
}

describe('provenance of reused conditions', () => {
  it('marks a condition reused by resume with the version it came from, and printTree says "reused from v<N>"', async () => {
    const root = tempDir();
    for (let i = 0; i < 4; i++) await exp(root).run(); // v0..v3
    const result = await exp(root, [
      treatment('a', { shift: 1 }),
      treatment('b', { shift: 2 }),
    ]).run({ strategy: 'resume' });
    expect(result.provenance.conditions).toEqual({
      baseline: { reused: true, fromVersion: 3 },
      a: { reused: true, fromVersion: 3 },
      b: { reused: false },
    });
    const tree = result.printTree('treatment > replicate > step > action');
    expect(tree).toContain('baseline (reused from v3)');
    expect(tree).toContain('a (reused from v3)');
    expect(tree).toMatch(/^b$/m);
    const actions = result.printTree('treatment > step > action').split('\n');
    const bIndex = actions.indexOf('b');
    expect(actions.slice(0, bIndex).filter((l) => l.includes('└─ ran'))).toEqual([]);
    expect(actions.slice(0, bIndex).some((l) => l.includes('reused from v3; metrics sum'))).toBe(
      true,
    );
    expect(actions.slice(bIndex).some((l) => l.includes('ran; metrics sum'))).toBe(true);
    // Without the treatment level, the action line still tells a reused step from a fresh one.
    expect(result.printTree('step > action')).toContain('reused from v3');

    const back = Result.fromJSON(
      JSON.parse(JSON.stringify(result.toJSON())) as Record<string, unknown>,
    );
    expect(back.provenance.conditions).toEqual(result.provenance.conditions);
    expect(back.printTree()).toEqual(tree);
  });

  it('marks every condition of a fresh run as not reused', async () => {
    const result = await exp(tempDir()).run();
    expect(result.provenance.conditions).toEqual({
      baseline: { reused: false },
      a: { reused: false },
    });
    expect(result.printTree()).not.toContain('reused');
  });
});
