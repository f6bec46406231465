import { Param, PipelineStep, Step, type Artifact, type FrozenContext } from 'crystallize';

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
    const scale = Number(ctx.get('scale_factor', 1.0));
    return data.map((x) => x / scale);
  }
}

export class ComputeSum extends Step<number[], number> {
  /** The `totals` output of config.yaml (a param set to an output's alias receives its Artifact). */
  @Param() out: Artifact<number> | undefined = undefined;

  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number {
    const sum = data.reduce((a, b) => a + b, 0);
    ctx.metrics.add('sum', sum);
    this.out?.write(sum);
    return sum;
  }
}
