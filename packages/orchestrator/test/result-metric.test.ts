import 'reflect-metadata';
import {
  CrystallizeError,
  type FrozenContext,
  MissingMetricError,
  PipelineStep,
  Step,
  treatment,
} from '@crystallize/core';
import { Experiment, Pipeline, type Result } from '@crystallize/orchestrator';
import { quietPlugins } from './helpers.js';

class Record extends Step<number[], number[]> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number[] {
    const factor = ctx.get<number>('factor', 1);
    ctx.metrics.add('sum', data.reduce((a, b) => a + b, 0) * factor);
    ctx.metrics.add('label', `rep ${ctx.get<number>('replicate', -1)}`);
    return data;
  }
}

function run(): Promise<Result> {
  return new Experiment({
    name: 'metric-accessor',
    datasource: () => [1, 2, 3],
    pipeline: new Pipeline([Record]),
    treatments: [treatment('triple', { factor: 3 })],
    plugins: quietPlugins(),
    cache: false,
  }).run({ replicates: 2 });
}

describe('Result.metric', () => {
  it('reads a numeric metric of a condition as number[] in replicate order', async () => {
    const result = await run();
    const baseline: number[] = result.metric('sum');
    const triple: number[] = result.metric('sum', 'triple');
    expect(baseline).toEqual([6, 6]);
    expect(triple).toEqual([18, 18]);
    expect(Math.max(...triple)).toBe(18);
  });

  it('names the conditions there are when the condition is unknown', async () => {
    const result = await run();
    expect(() => result.metric('sum', 'quadruple')).toThrow(CrystallizeError);
    expect(() => result.metric('sum', 'quadruple')).toThrow(
      /no condition 'quadruple' \(conditions: 'baseline', 'triple'\)/,
    );
  });

  it('throws MissingMetricError naming the recorded metrics when the metric is missing', async () => {
    const result = await run();
    expect(() => result.metric('mean', 'triple')).toThrow(MissingMetricError);
    expect(() => result.metric('mean', 'triple')).toThrow(/'label', 'sum'|'sum', 'label'/);
  });

  it('refuses a metric whose values are not numbers and says how to read it', async () => {
    const result = await run();
    expect(() => result.metric('label')).toThrow(
      /value 0 is "rep 0", not a number.*conditionMetrics\('baseline'\)/,
    );
  });
});
