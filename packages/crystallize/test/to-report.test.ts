/*
 * result.toReport({ file }) (SPEC §12) from the one package users import: the report package
 * loads on the first report and writes the same self-contained page `crystallize report` writes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Experiment, Pipeline, hypothesis, pipelineStep, treatment, verifier } from 'crystallize';

const Measure = pipelineStep({ name: 'Measure' }, (data: number, ctx) => {
  const scale = ctx.get<number>('scale') ?? 1;
  ctx.metrics.add('score', data * scale + ctx.get<number>('replicate')!);
  return data;
});

const higher = verifier(
  (base, treated) => {
    const b = base['score'] ?? [];
    const higherEverywhere = (treated['score'] ?? []).every((t, i) => t > (b[i] ?? 0));
    return { p_value: higherEverywhere ? 0.01 : 0.5, significant: higherEverywhere };
  },
  {},
  { name: 'higher' },
);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cz-to-report-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('result.toReport', () => {
  it('writes one self-contained HTML report of the run and returns its path', async () => {
    const exp = new Experiment({
      name: 'to-report-demo',
      datasource: () => 10,
      pipeline: new Pipeline([Measure]),
      treatments: [treatment('triple', { scale: 3 })],
      hypotheses: [hypothesis({ name: 'bigger', metrics: 'score', verifier: higher() })],
      replicates: 4,
    });
    const result = await exp.run();
    const file = join(dir, 'out', 'report.html');

    const written = await result.toReport({ file, title: 'My run' });

    expect(written).toBe(file);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<title>My run</title>');
    expect(html).toContain('to-report-demo');
    expect(html).toContain('triple');
    expect(html).toContain('bigger'); // the hypothesis table
    expect(html).toContain('<svg'); // plots pre-rendered inline
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/); // nothing external
  });
});
