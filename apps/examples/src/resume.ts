/**
 * Resume: `strategy: 'resume'` reloads the conditions that completed in the latest stored run
 * and runs only the rest; hypotheses are verified over all of them. A stored condition is reused
 * only while its fingerprint (pipeline code and params, data source, treatment definition,
 * initial context, replicate count, seed) matches — otherwise it reruns and `run.log` says why.
 *   node apps/examples/dist/resume.js [dir]
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Experiment,
  Param,
  Pipeline,
  PipelineStep,
  Step,
  hypothesis,
  treatment,
  welchTTest,
  type FrozenContext,
  type Treatment,
} from 'crystallize';
import { artifactPluginUnder, cacheStoreUnder } from './example-storage.js';
import { exampleDir, isEntryPoint, tempDir } from './run-example.js';

/** Conditions that really ran in this process (a reused condition does not run). */
export const ran: string[] = [];

export class Simulate extends Step<null, number> {
  @Param() rate = 1.0;

  @PipelineStep()
  run(_data: null, ctx: FrozenContext): number {
    if (ctx.get('replicate') === 0) ran.push(String(ctx.get('condition')));
    const events = Array.from({ length: 30 }, () => -Math.log(1 - ctx.rng.next()) / this.rate);
    const mean = events.reduce((a, b) => a + b, 0) / events.length;
    ctx.metrics.add('wait', mean);
    return mean;
  }
}

function build(dir: string): Experiment {
  return new Experiment({
    name: 'queue-sim',
    datasource: () => null,
    pipeline: new Pipeline([Simulate]),
    hypotheses: [hypothesis({ verifier: welchTTest(), metrics: 'wait', name: 'shorter-wait' })],
    replicates: 5,
    plugins: [artifactPluginUnder(dir)],
    cache: cacheStoreUnder(dir),
  });
}

export interface ResumeStep {
  readonly ran: string[];
  readonly reused: string[];
  readonly pValues: Record<string, number>;
}

async function runOnce(dir: string, treatments: Treatment[], resume: boolean): Promise<ResumeStep> {
  ran.length = 0;
  const result = await build(dir).run({ treatments, strategy: resume ? 'resume' : 'rerun' });
  const metadata = JSON.parse(
    readFileSync(join(result.dir as string, 'metadata.json'), 'utf8'),
  ) as {
    reused: string[];
  };
  const h = result.getHypothesis('shorter-wait');
  return {
    ran: [...ran],
    reused: metadata.reused,
    pValues: Object.fromEntries(
      Object.entries(h?.results ?? {}).map(([t, r]) => [t, (r as { p_value: number }).p_value]),
    ),
  };
}

export async function main(dir = tempDir('resume')): Promise<{
  first: ResumeStep;
  added: ResumeStep;
  changed: ResumeStep;
  reasons: string[];
}> {
  const fast = treatment('fast', { rate: 2 });
  const faster = treatment('faster', { rate: 4 });
  // 1. baseline + 'fast', stored with completion markers.
  const first = await runOnce(dir, [fast], false);
  // 2. add a treatment and resume: baseline and 'fast' are reloaded, only 'faster' runs.
  const added = await runOnce(dir, [fast, faster], true);
  // 3. change 'fast' and resume: its fingerprint no longer matches, so it reruns.
  const changed = await runOnce(dir, [treatment('fast', { rate: 2.5 }), faster], true);
  const log = readFileSync(join(dir, 'data', 'queue-sim', 'v0', 'run.log'), 'utf8');
  const reasons = log
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { msg: string }).msg)
    .filter((msg) => msg.startsWith('resume:'));
  return { first, added, changed, reasons };
}

if (isEntryPoint(import.meta.url)) console.dir(await main(exampleDir('resume')), { depth: null });
