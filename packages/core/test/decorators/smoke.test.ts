import { Param, PipelineStep, Step, standaloneContext } from '@crystallize/core';

class Scale extends Step<number[], number[]> {
  @Param() factor = 1.0;
  @PipelineStep({ cacheable: true })
  run(data: number[]) {
    return data.map((x) => x * this.factor);
  }
}

it('smoke', async () => {
  expect(await new Scale({ factor: 2 }).call([1, 2], standaloneContext())).toEqual([2, 4]);
  expect(await new Scale().call([1, 2], standaloneContext({ factor: '3' }))).toEqual([3, 6]);
});
