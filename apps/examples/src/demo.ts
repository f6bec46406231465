/**
 * The README demo: the seed example of the spec, run end to end.
 *   npm run demo
 */
import 'reflect-metadata';
import { Experiment, FrozenContext, Param, Pipeline, PipelineStep, Step } from 'crystallize';

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
});

async function main(): Promise<void> {
  exp.validate();
  const result = await exp.run({ replicates: 3 });
  console.log('metrics:', result.metrics.baseline.metrics);
  console.log('\nprovenance:');
  console.log(result.printTree('treatment > replicate > step > action'));
  console.log(`\nresults stored in ${result.dir}`);
}

await main();
