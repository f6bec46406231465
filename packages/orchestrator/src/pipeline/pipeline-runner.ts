import { PipelineExecutionError, type FrozenContext, type Step } from '@crystallize/core';
import { runStepGraph } from './dag-runner.js';
import type { StepOutputCache } from './step-cache.js';
import { executeStep, provenanceHash, type OutputSlot } from './step-execution.js';
import type { StepGraph } from './step-graph.js';
import type { StepRecord } from './step-record.js';

export interface RunnerOptions {
  readonly steps: readonly Step[];
  /** A branching pipeline's nodes; when set, `steps` is only their topological order. */
  readonly graph?: StepGraph | undefined;
  readonly cache: StepOutputCache | undefined;
  /** Record context reads (needs the context's onRead to push into `reads`). */
  readonly verbose: boolean;
  /** What to do when a cacheable step's output cannot be encoded. */
  readonly onUnencodable: 'error' | 'skip';
  readonly beforeStep: readonly ((step: Step, ctx: FrozenContext) => void)[];
  readonly afterStep: readonly ((
    step: Step,
    data: unknown,
    ctx: FrozenContext,
    record: StepRecord,
  ) => void)[];
}

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
  const slot: OutputSlot = { output: input };
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
