/**
 * Optimize: `exp.optimize(optimizer, trials, replicatesPerTrial)` drives an ask/tell optimizer.
 * Each trial runs the treatments the optimizer asks for and tells it the mean of the objective
 * metric; the answer is the best treatment found. This one is a plain grid search.
 *   node apps/examples/dist/optimize.js [dir]
 */
import 'reflect-metadata';
import {
  BaseOptimizer,
  Experiment,
  Param,
  Pipeline,
  PipelineStep,
  Step,
  treatment,
  type FrozenContext,
  type Objective,
  type Treatment,
} from 'crystallize';
import { artifactPluginUnder, cacheStoreUnder } from './example-storage.js';
import { exampleDir, isEntryPoint, tempDir } from './run-example.js';

/** Tries `batch` values of one context key per trial, walking a grid. */
export class GridSearch extends BaseOptimizer {
  readonly tried: { value: number; score: number }[] = [];
  #pending: number[] = [];
  #next = 0;

  constructor(
    objective: Objective,
    readonly key: string,
    readonly grid: readonly number[],
    readonly batch = 2,
  ) {
    super(objective);
  }

  ask(): Treatment[] {
    this.#pending = this.grid.slice(this.#next, this.#next + this.batch);
    this.#next += this.#pending.length;
    return this.#pending.map((v) => treatment(`${this.key}_${v}`, { [this.key]: v }));
  }

  tell(objectiveValues: readonly number[]): void {
    this.#pending.forEach((value, i) =>
      this.tried.push({ value, score: objectiveValues[i] ?? NaN }),
    );
  }

  getBestTreatment(): Treatment {
    const sign = this.objective.direction === 'minimize' ? 1 : -1;
    const best = [...this.tried].sort((a, b) => sign * (a.score - b.score))[0];
    if (!best) throw new Error('GridSearch: no trial has been told yet');
    return treatment(`${this.key}_${best.value}`, { [this.key]: best.value });
  }
}

/** The squared error of a noisy quadratic fit: smallest near lr = 0.3. */
export class Fit extends Step<null, number> {
  @Param() lr = 0.1;

  @PipelineStep()
  run(_data: null, ctx: FrozenContext): number {
    const loss = (this.lr - 0.3) ** 2 + 0.001 * ctx.rng.normal();
    ctx.metrics.add('loss', loss);
    return loss;
  }
}

export async function main(dir = tempDir('optimize')): Promise<{
  best: { name: string; values: unknown };
  tried: { value: number; score: number }[];
}> {
  const exp = new Experiment({
    name: 'tune-lr',
    datasource: () => null,
    pipeline: new Pipeline([Fit]),
    plugins: [artifactPluginUnder(dir)],
    cache: cacheStoreUnder(dir),
  });
  const optimizer = new GridSearch(
    { metric: 'loss', direction: 'minimize' },
    'lr',
    [0.01, 0.1, 0.2, 0.3, 0.5, 1.0],
  );
  const best = await exp.optimize(optimizer, 3, 2); // 3 trials x 2 treatments, 2 replicates each
  return { best: { name: best.name, values: best.values }, tried: optimizer.tried };
}

if (isEntryPoint(import.meta.url)) console.dir(await main(exampleDir('optimize')), { depth: null });
