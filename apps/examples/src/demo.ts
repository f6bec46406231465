/**
 * The README demo: the seed example of the spec, run end to end.
 *   npm run demo
 */
import 'reflect-metadata';
import { isMainThread } from 'node:worker_threads';
import {
  Experiment,
  FrozenContext,
  ParallelExecution,
  Param,
  Pipeline,
  PipelineStep,
  Step,
} from 'crystallize';

export class ScaleData extends Step<number[], number[]> {
  @Param() factor = 1.0;

  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] {
    return data.map((x) => x * this.factor);
  }
}

export class Normalize extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    const scale = ctx.get('scale_factor', 1.0);
    return data.map((x) => x / scale);
  }
}

export class ComputeSum extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    ctx.metrics.add(
      'sum',
      data.reduce((a, b) => a + b, 0),
    );
    return data;
  }
}

export const exp = new Experiment({
  name: 'scale-demo',
  datasource: () => [1, 2, 3],
  pipeline: new Pipeline([ScaleData.with({ factor: 1.5 }), Normalize, ComputeSum]),
  // Replicates run in worker threads; each worker rebuilds `exp` by importing this module.
  plugins: [new ParallelExecution()],
});

async function main(): Promise<void> {
  exp.validate();
  const result = await exp.run({ replicates: 3 });
  console.log('metrics:', result.metrics.baseline.metrics);
  console.log('\nprovenance:');
  console.log(result.printTree('treatment > replicate > step > action'));
  console.log(`\nresults stored in ${result.dir}`);
}

// The one rule of parallel runs: importing this module must not start a run, so a worker
// that imports it to rebuild `exp` does not run the experiment again.
if (isMainThread) await main();
