import { PipelineExecutionError, type FrozenContext } from '@crystallize/core';
import { runStepGraph } from './dag-runner.js';
import type { RunnerOptions } from './runner-options.js';
import { executeStep, provenanceHash, type OutputSlot } from './step-execution.js';
import type { StepRecord } from '../model/step-record.js';

export type { RunnerOptions };

/**
 * Runs the steps of one replicate and condition in order, with caching and provenance.
 * A failing step surfaces as {@link PipelineExecutionError} naming it.
 */
export async function runPipeline(
  options: RunnerOptions,
  input: unknown,
  ctx: FrozenContext,
  reads: string[] | undefined,
): Promise<{ output: unknown; records: StepRecord[] }> {
  // Dispatched once per run on the pipeline's shape: the linear loop below stays as it was.
  if (options.graph) return runStepGraph(options, options.graph, input, ctx, reads);
  const records: StepRecord[] = [];
  const slot: OutputSlot = { output: input, clock: performance.now() };
  let dataHash = provenanceHash(input);
  for (const step of options.steps) {
    const name = step.name;
    ctx.enterStep(name);
    if (reads) reads.length = 0;
    try {
      const done = executeStep(options, step, name, slot.output, dataHash, ctx, reads, slot);
      const record = done instanceof Promise ? await done : done;
      records.push(record);
      dataHash = record.outputHash;
    } catch (cause) {
      ctx.enterStep(undefined);
      if (cause instanceof PipelineExecutionError) throw cause;
      throw new PipelineExecutionError(name, cause);
    }
  }
  ctx.enterStep(undefined);
  return { output: slot.output, records };
}
