/**
 * Steps, decorators, parameters, injection and coercion, function steps and metrics — each step
 * called by hand with `step.call(data, ctx)`, the entry the pipeline runner uses.
 *   node apps/examples/dist/steps.js
 */
import 'reflect-metadata';
import {
  InjectionError,
  Param,
  Pipeline,
  PipelineStep,
  Step,
  pipelineStep,
  standaloneContext,
  withMetrics,
  type FrozenContext,
} from 'crystallize';
import { isEntryPoint } from './run-example.js';

/** A class step: one `@PipelineStep` method, injectable `@Param` fields. */
export class ScaleData extends Step<number[], number[]> {
  // Resolved per call: explicit (constructor / Step.with) > ctx.get('factor') > this default.
  @Param() factor = 1.0;

  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] {
    return data.map((x) => x * this.factor);
  }
}

/** `key` reads another context key; the declared type coerces context strings ("3" → 3). */
export class Clip extends Step<number[], number[]> {
  @Param({ key: 'clip_max' }) max!: number; // no default: required
  @Param() inclusive = true;

  @PipelineStep()
  run(data: number[]) {
    const kept = data.filter((x) => (this.inclusive ? x <= this.max : x < this.max));
    // withMetrics: the data flows on, the metrics are recorded in the context.
    return withMetrics(kept, { clipped: data.length - kept.length, max: this.max });
  }
}

/** Async entry methods work too; metrics can carry tags. */
export class Summarise extends Step<number[], number[]> {
  @PipelineStep()
  async run(data: number[], ctx: FrozenContext): Promise<number[]> {
    await Promise.resolve(); // e.g. an I/O call
    ctx.metrics.add(
      'sum',
      data.reduce((a, b) => a + b, 0),
      { unit: 'points' },
    );
    return data;
  }
}

/** A function step: same injection rules, the params arrive as the third argument. */
export const addOffset = pipelineStep(
  { params: { offset: 0 }, name: 'addOffset' },
  (data: number[], _ctx, { offset }) => data.map((x) => x + offset),
);

export interface StepsSummary {
  readonly explicit: number[];
  readonly fromContext: number[];
  readonly byDefault: number[];
  readonly coerced: { readonly max: unknown; readonly output: number[]; readonly clipped: unknown };
  readonly missingParam: string;
  readonly functionStep: number[];
  readonly summed: { readonly sum: readonly unknown[]; readonly tags: unknown };
  readonly pipelineSteps: string[];
  readonly stepHashes: { readonly same: boolean; readonly differ: boolean };
}

export async function main(): Promise<StepsSummary> {
  const data = [1, 2, 3];

  // Injection order: explicit > context > default.
  const explicit = await new ScaleData({ factor: 2 }).call(data, standaloneContext({ factor: 10 }));
  const fromContext = await new ScaleData().call(data, standaloneContext({ factor: 10 }));
  const byDefault = await new ScaleData().call(data, standaloneContext());

  // Coercion: a context value from YAML/CLI arrives as a string and becomes the declared type.
  const ctx = standaloneContext({ clip_max: '2', inclusive: 'false' });
  const clipped = await new Clip().call([1, 2, 3, 4], ctx);

  // A required param that is neither explicit nor in the context names the step and the param.
  let missingParam = '';
  try {
    await new Clip().call(data, standaloneContext());
  } catch (e) {
    if (e instanceof InjectionError) missingParam = e.message;
    else throw e;
  }

  const functionStep = await addOffset({ offset: 10 }).call(data, standaloneContext());

  const sumCtx = standaloneContext();
  await new Summarise().call(data, sumCtx);

  // A pipeline takes instances, classes and Step.with(...) factories in any mix.
  const pipeline = new Pipeline([
    ScaleData.with({ factor: 1.5 }),
    Clip.with({ max: 4 }),
    Summarise,
  ]);

  return {
    explicit,
    fromContext,
    byDefault,
    coerced: {
      max: ctx.metrics.get('max')[0],
      output: clipped,
      clipped: ctx.metrics.get('clipped')[0],
    },
    missingParam,
    functionStep,
    summed: { sum: sumCtx.metrics.get('sum'), tags: sumCtx.metrics.tags('sum') },
    pipelineSteps: pipeline.steps.map((s) => s.name),
    stepHashes: {
      // stepHash covers class, explicit params and code: the cache's notion of "the same step".
      same: new ScaleData({ factor: 2 }).stepHash === new ScaleData({ factor: 2 }).stepHash,
      differ: new ScaleData({ factor: 2 }).stepHash !== new ScaleData({ factor: 3 }).stepHash,
    },
  };
}

if (isEntryPoint(import.meta.url)) console.dir(await main(), { depth: null });
