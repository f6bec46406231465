import 'reflect-metadata';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CrystallizeError,
  type FrozenContext,
  Param,
  PipelineStep,
  Step,
  treatment,
} from '@crystallize/core';
import {
  Artifact,
  ArtifactPlugin,
  Experiment,
  LoggingPlugin,
  type ArtifactPluginOptions,
} from '@crystallize/orchestrator';
import { readStoredRun } from '@crystallize/orchestrator/internal';
import { ComputeSum, tempDir } from './helpers.js';

class WriteModel extends Step<number[], number[]> {
  @Param() model = new Artifact<{ weights: number[] }>('model.json');
  @Param() big = new Artifact<Uint8Array>('big.bin');
  @Param() note = new Artifact<string>('note.txt');

  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    this.model.write({ weights: data });
    this.big.write(new Uint8Array(4096).fill(7));
    this.note.write(`rep ${String(ctx.get('replicate'))}`);
    return data;
  }
}

class MaybeFail extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    if (ctx.get('fail') === true && ctx.get('replicate') === 1) throw new Error('rep 1 fails');
    return data;
  }
}

function exp(root: string, options: Omit<ArtifactPluginOptions, 'rootDir'> = {}): Experiment {
  return new Experiment({
    name: 'arts',
    datasource: () => [1, 2, 3],
    pipeline: [WriteModel, MaybeFail, ComputeSum],
    treatments: [treatment('double', { scale_factor: 2 }), treatment('broken', { fail: true })],
    plugins: [
      new ArtifactPlugin({ rootDir: root, ...options }),
      new LoggingPlugin({ level: 'silent' }),
    ],
    cache: false,
  });
}

const readJson = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));

describe('ArtifactPlugin (SPEC §8)', () => {
  it('writes artifacts under <root>/<experiment>/v<N>/replicate_<r>/<condition>/<Step>/<file>', async () => {
    const root = tempDir();
    const result = await exp(root).run({ replicates: 2 });
    const v0 = join(root, 'arts', 'v0');
    expect(result.dir).toBe(v0);
    for (const r of [0, 1]) {
      for (const c of ['baseline', 'double', 'broken']) {
        const dir = join(v0, `replicate_${r}`, c, 'WriteModel');
        expect(readJson(join(dir, 'model.json'))).toEqual({ weights: [1, 2, 3] });
        expect(readFileSync(join(dir, 'note.txt'), 'utf8')).toBe(`rep ${r}`);
        expect(readFileSync(join(dir, 'big.bin'))).toEqual(Buffer.alloc(4096, 7));
      }
    }
    expect(result.artifacts['baseline']).toEqual(
      expect.arrayContaining([
        {
          replicate: 1,
          name: 'model.json',
          step: 'WriteModel',
          path: join('replicate_1', 'baseline', 'WriteModel', 'model.json'),
          contentType: 'json',
        },
      ]),
    );
  });

  it('stores results.json per condition, a completion marker only for error-free conditions, metadata and a manifest', async () => {
    const root = tempDir();
    const result = await exp(root).run({ replicates: 2 });
    const v0 = join(root, 'arts', 'v0');
    expect(Object.keys(result.errors)).toEqual(['broken_rep_1']);

    const base = readJson(join(v0, 'baseline', 'results.json')) as Record<string, unknown>;
    expect(base).toMatchObject({
      condition: 'baseline',
      replicates: 2,
      seeds: result.provenance.seeds['baseline'],
      metrics: { sum: [6, 6] },
      errors: {},
    });
    expect(typeof base['fingerprint']).toBe('string');
    // Provenance is in the run journal (every replicate was journalled): no second copy, and the
    // stored run reads each replicate's step records back from it.
    expect(existsSync(join(v0, 'baseline', 'provenance.jsonl'))).toBe(false);
    expect(existsSync(join(v0, 'journal.jsonl'))).toBe(true);
    const stored = readStoredRun(v0);
    expect(Object.keys(stored?.conditions['baseline']?.provenance ?? {})).toEqual(['0', '1']);
    expect(stored?.conditions['baseline']?.provenance[0]).toEqual(
      result.provenance.ctxChanges['baseline']?.[0],
    );
    expect(existsSync(join(v0, 'baseline', '.crystallize_complete'))).toBe(true);
    expect(existsSync(join(v0, 'double', '.crystallize_complete'))).toBe(true);

    const broken = readJson(join(v0, 'broken', 'results.json')) as Record<string, unknown>;
    expect(Object.keys(broken['errors'] as object)).toEqual(['broken_rep_1']);
    expect(
      (broken['errors'] as Record<string, { stepName: string }>)['broken_rep_1']!.stepName,
    ).toBe('MaybeFail');
    expect(existsSync(join(v0, 'broken', '.crystallize_complete'))).toBe(false);

    expect(readJson(join(v0, 'metadata.json'))).toMatchObject({
      experiment: 'arts',
      version: 0,
      replicates: 2,
      conditions: ['baseline', 'double', 'broken'],
      pipeline: 'WriteModel>MaybeFail>ComputeSum',
      pipelineSignature: result.provenance.pipelineSignature,
      strategy: 'rerun',
      aborted: false,
    });
    const manifest = readJson(join(v0, '_manifest.json')) as Record<
      string,
      { step: string; files: string[] }
    >;
    expect(Object.keys(manifest).sort()).toEqual(['big.bin', 'model.json', 'note.txt']);
    expect(manifest['model.json']!.step).toBe('WriteModel');
    // Every successful replicate's file, relative to the version folder and present on disk.
    expect(manifest['model.json']!.files).toEqual(
      expect.arrayContaining(
        ['0/baseline', '1/baseline', '0/double', '1/double', '0/broken'].map((rc) =>
          join(`replicate_${rc}`, 'WriteModel', 'model.json'),
        ),
      ),
    );
    for (const f of manifest['model.json']!.files) expect(existsSync(join(v0, f))).toBe(true);
  });

  it('keeps run.log when the LoggingPlugin is listed before the ArtifactPlugin', async () => {
    const root = tempDir();
    const listedFirst = new Experiment({
      name: 'arts',
      datasource: () => [1, 2, 3],
      pipeline: [WriteModel, MaybeFail, ComputeSum],
      plugins: [new LoggingPlugin({ level: 'silent' }), new ArtifactPlugin({ rootDir: root })],
      cache: false,
    });
    await listedFirst.run({ replicates: 2 });
    const log = readFileSync(join(root, 'arts', 'v0', 'run.log'), 'utf8');
    expect(log).toMatch(/2 replicate\(s\) x 1 condition\(s\); results in /);
    expect(log).toMatch(/experiment 'arts' finished/);
  });

  it('keeps pino JSON lines in run.log beside the results', async () => {
    const root = tempDir();
    await exp(root).run({ replicates: 2 });
    const lines = readFileSync(join(root, 'arts', 'v0', 'run.log'), 'utf8')
      .trim()
      .split('\n');
    const records = lines.map(
      (l) => JSON.parse(l) as { level: number; msg: string; experiment: string },
    );
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(records.every((r) => r.experiment === 'arts' && typeof r.level === 'number')).toBe(true);
    expect(records[0]!.msg).toMatch(/2 replicate\(s\) x 3 condition\(s\)/);
    expect(records.some((r) => r.level === 40 && /broken replicate 1 failed/.test(r.msg))).toBe(
      true,
    );
    expect(records.at(-1)!.msg).toMatch(/finished with 1 failed replicate/);
  });

  it('replaces v0 on every unversioned run', async () => {
    const root = tempDir();
    await exp(root).run({ replicates: 3 });
    expect(existsSync(join(root, 'arts', 'v0', 'replicate_2'))).toBe(true);
    await exp(root).run({ replicates: 1 });
    expect(readdirSync(join(root, 'arts'))).toEqual(['v0']);
    expect(existsSync(join(root, 'arts', 'v0', 'replicate_2'))).toBe(false);
  });

  it('creates v0, v1, v2 ... for versioned runs', async () => {
    const root = tempDir();
    for (let i = 0; i < 3; i++) {
      const r = await exp(root, { versioned: true, retention: 5 }).run();
      expect(r.dir).toBe(join(root, 'arts', `v${i}`));
    }
    expect(readdirSync(join(root, 'arts')).sort()).toEqual(['v0', 'v1', 'v2']);
    expect(
      (readJson(join(root, 'arts', 'v2', 'metadata.json')) as { version: number }).version,
    ).toBe(2);
  });

  it('keeps the newest version whole, strips big files from the other retained ones and reduces older ones to metrics', async () => {
    const root = tempDir();
    // 0.002 MB ~ 2 KB: big.bin (4 KB) is big, model.json and note.txt are small.
    const opts = { versioned: true, retention: 2, bigFileThresholdMb: 0.002 };
    for (let i = 0; i < 4; i++) await exp(root, opts).run();
    const art = (v: number, file: string) =>
      join(root, 'arts', `v${v}`, 'replicate_0', 'baseline', 'WriteModel', file);
    // v3: newest, untouched.
    expect(existsSync(art(3, 'big.bin'))).toBe(true);
    expect(existsSync(art(3, 'model.json'))).toBe(true);
    // v2: retained, big file stripped, small files kept — and its provenance (in the journal,
    // bigger than the threshold too) stays readable.
    expect(existsSync(art(2, 'big.bin'))).toBe(false);
    expect(existsSync(art(2, 'model.json'))).toBe(true);
    expect(existsSync(art(2, 'note.txt'))).toBe(true);
    expect(statSync(join(root, 'arts', 'v2', 'journal.jsonl')).size).toBeGreaterThan(2 * 1024);
    expect(
      Object.keys(
        readStoredRun(join(root, 'arts', 'v2'))?.conditions['baseline']?.provenance ?? {},
      ),
    ).toEqual(['0']);
    // v1, v0: beyond retention, only metrics and bookkeeping remain.
    for (const v of [0, 1]) {
      expect(existsSync(art(v, 'model.json'))).toBe(false);
      expect(existsSync(art(v, 'big.bin'))).toBe(false);
      const dir = join(root, 'arts', `v${v}`);
      expect(
        (readJson(join(dir, 'baseline', 'results.json')) as { metrics: unknown }).metrics,
      ).toEqual({
        sum: [6],
      });
      expect(existsSync(join(dir, 'baseline', '.crystallize_complete'))).toBe(true);
      expect(existsSync(join(dir, 'metadata.json'))).toBe(true);
      expect(existsSync(join(dir, '_manifest.json'))).toBe(true);
      expect(existsSync(join(dir, 'run.log'))).toBe(true);
    }
  });

  it('rejects an invalid retention', () => {
    expect(() => new ArtifactPlugin({ retention: 0 })).toThrow(RangeError);
  });

  it('refuses artifact names that are paths, and writes outside a running step', () => {
    expect(() => new Artifact('../evil.json')).toThrow(CrystallizeError);
    expect(() => new Artifact('a/b.json')).toThrow(/no '\/'/);
    expect(() => new Artifact('free.json').write({})).toThrow(/not bound to a running step/);
  });

  it('uses a custom writer for the file contents', async () => {
    class Csv extends Step<number[], number[]> {
      @Param() table = new Artifact<number[]>('table.csv', { writer: (xs) => xs.join(',') });
      @PipelineStep()
      run(data: number[]): number[] {
        this.table.write(data);
        return data;
      }
    }
    const root = tempDir();
    await new Experiment({
      name: 'csv',
      datasource: () => [4, 5],
      pipeline: [Csv],
      plugins: [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })],
      cache: false,
    }).run();
    expect(
      readFileSync(join(root, 'csv', 'v0', 'replicate_0', 'baseline', 'Csv', 'table.csv'), 'utf8'),
    ).toBe('4,5');
  });
});

describe('stored results around failures', () => {
  it('lists in the manifest the files a replicate wrote before it failed', async () => {
    const result = await exp(tempDir()).run({ replicates: 2 });
    expect(Object.keys(result.errors)).toEqual(['broken_rep_1']);
    const manifest = readJson(join(result.dir as string, '_manifest.json')) as Record<
      string,
      { files: string[] }
    >;
    const file = join('replicate_1', 'broken', 'WriteModel', 'model.json');
    expect(existsSync(join(result.dir as string, file))).toBe(true);
    expect(manifest['model.json']?.files).toContain(file);
  });

  it('closes the run log with an error line when the run itself throws', async () => {
    class BadTeardown extends Step<number[], number[]> {
      @PipelineStep() run(data: number[]): number[] {
        return data;
      }
      override teardown(): void {
        throw new Error('teardown broke');
      }
    }
    const root = tempDir();
    const failing = new Experiment({
      name: 'bad-teardown',
      datasource: () => [1],
      pipeline: [BadTeardown],
      plugins: [new ArtifactPlugin({ rootDir: root }), new LoggingPlugin({ level: 'silent' })],
      cache: false,
    });
    await expect(failing.run()).rejects.toThrow('teardown broke');
    // A run that threw never takes v0's place: its log stays in the staging folder.
    const log = readFileSync(join(root, 'bad-teardown', '.v0.next', 'run.log'), 'utf8')
      .trim()
      .split('\n');
    const last = JSON.parse(log[log.length - 1] as string) as { level: number; msg: string };
    expect(last.level).toBe(50);
    expect(last.msg).toMatch(/experiment 'bad-teardown' failed: teardown broke/);
  });
});
