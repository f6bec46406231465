/**
 * Results: metrics per condition, a provenance tree (`printTree`), failed replicates in
 * `result.errors` (the run goes on), a JSON round-trip (`toJSON` / `Result.fromJSON`), and
 * `exp.apply()` to run the pipeline once by hand.
 *   node apps/examples/dist/results.js [dir]
 */
import 'reflect-metadata';
import {
  Experiment,
  Pipeline,
  PipelineExecutionError,
  PipelineStep,
  Result,
  Step,
  pipelineStep,
  treatment,
  type FrozenContext,
} from 'crystallize';
import { artifactPluginUnder, cacheStoreUnder } from './example-storage.js';
import { exampleDir, isEntryPoint, tempDir } from './run-example.js';

export class Parse extends Step<string, number[]> {
  // Not cacheable: it reads 'replicate' with ctx.get, which is not part of a cache key.
  @PipelineStep()
  run(text: string, ctx: FrozenContext): number[] {
    // A treatment can make one replicate fail; the other replicates and conditions carry on.
    if (ctx.get('fail_on_replicate') === ctx.get('replicate')) {
      throw new Error(`malformed row in replicate ${String(ctx.get('replicate'))}`);
    }
    return text.split(',').map(Number);
  }
}

export const total = pipelineStep({ name: 'total' }, (xs: number[], ctx) => {
  const sum = xs.reduce((a, b) => a + b, 0);
  ctx.metrics.add('total', sum);
  ctx.add('count', xs.length); // context writes show up in provenance ("wrote count")
  return sum;
});

function build(dir: string): Experiment {
  return new Experiment({
    name: 'parse-and-sum',
    datasource: () => '1,2,3,4',
    pipeline: new Pipeline([Parse, total()]),
    treatments: [treatment('flaky', { fail_on_replicate: 1 })],
    replicates: 3,
    plugins: [artifactPluginUnder(dir)],
    cache: cacheStoreUnder(dir),
  });
}

export interface ResultsSummary {
  readonly metrics: { readonly baseline: unknown; readonly flaky: unknown };
  readonly errors: Record<string, { step: string; message: string }>;
  readonly tree: string;
  readonly roundTrip: { readonly metricsEqual: boolean; readonly errorIsTyped: boolean };
  readonly applied: unknown;
}

export async function main(dir = tempDir('results')): Promise<ResultsSummary> {
  const exp = build(dir);
  const result = await exp.run();

  const errors = Object.fromEntries(
    Object.entries(result.errors).map(([key, e]) => [
      key, // '<condition>_rep_<replicate>'
      {
        step: e instanceof PipelineExecutionError ? e.stepName : '?',
        message: e.message,
      },
    ]),
  );

  // Results serialise to plain JSON and come back as a Result (errors as Error objects).
  const json = JSON.stringify(result.toJSON());
  const back = Result.fromJSON(json);

  return {
    metrics: {
      baseline: result.metrics.baseline.metrics,
      flaky: result.metrics.treatments['flaky']?.metrics,
    },
    errors,
    // Levels in any order and subset of treatment, replicate, step; 'action' last.
    tree: result.printTree('treatment > step > action'),
    roundTrip: {
      metricsEqual: JSON.stringify(back.metrics) === JSON.stringify(result.metrics),
      errorIsTyped: back.errors['flaky_rep_1'] instanceof PipelineExecutionError,
    },
    // One pass through the pipeline, nothing stored: handy in a notebook or a unit test.
    applied: await exp.apply({ data: '10,20,30' }),
  };
}

if (isEntryPoint(import.meta.url)) {
  const summary = await main(exampleDir('results'));
  console.log(summary.tree);
  console.dir({ ...summary, tree: undefined }, { depth: null });
}
