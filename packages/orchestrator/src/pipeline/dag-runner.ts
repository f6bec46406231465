import {
  ContextMutationError,
  FrozenContext,
  PipelineExecutionError,
  createRng,
  hashValue,
  type ArtifactEntry,
  type MetricRecord,
} from '@crystallize/core';
import type { RunnerOptions } from './runner-options.js';
import { executeStep, provenanceHash, type OutputSlot } from './step-execution.js';
import type { StepGraph, StepNode } from './step-graph.js';
import type { StepRecord } from '../model/step-record.js';

/*
 * Branching pipelines. Every node runs as soon as its upstreams are done, so independent
 * branches of one replicate overlap whenever their steps await. To keep that reproducible and
 * each node's provenance exact, a node runs on its own context:
 *
 *  - it starts from the replicate's context plus what its *ancestors* wrote (never a sibling's,
 *    whose timing would decide what it sees);
 *  - `step_name` is the node's name for the whole call, even while a sibling runs;
 *  - its metrics, artifacts and writes are its own, so its StepRecord holds exactly them;
 *  - `ctx.rng` is seeded from the replicate seed and the node name, so a branch draws the same
 *    numbers whatever runs beside it.
 *
 * When every node is done their metrics, artifacts and writes are folded into the replicate's
 * context in topological order (deterministic, whatever finished first). Two nodes writing the
 * same context key or artifact name fail the later node, as a second write would in a linear
 * pipeline.
 */

interface NodeOutcome {
  readonly output: unknown;
  readonly outputHash: string;
  readonly record: StepRecord;
  readonly wrote: Readonly<Record<string, unknown>>;
  readonly metrics: readonly MetricRecord[];
  readonly artifacts: readonly ArtifactEntry[];
}

/** A uint32 seed for one node: the replicate seed and the node name, hashed. */
function nodeSeed(seed: unknown, node: string): number {
  return Number.parseInt(hashValue({ seed: Number(seed ?? 0), node }).slice(0, 8), 16);
}

function nodeContext(
  base: Readonly<Record<string, unknown>>,
  node: StepNode,
  graph: StepGraph,
  done: ReadonlyMap<string, NodeOutcome>,
  parent: FrozenContext,
  reads: string[] | undefined,
): FrozenContext {
  const initial: Record<string, unknown> = { ...base };
  for (const a of graph.ancestors.get(node.name) ?? []) Object.assign(initial, done.get(a)?.wrote);
  return new FrozenContext(initial, {
    logger: parent.logger,
    rng: createRng(nodeSeed(base['seed_used'], node.name)),
    ...(reads ? { onRead: (k: string) => void reads.push(k) } : {}),
  });
}

async function runNode(
  options: RunnerOptions,
  node: StepNode,
  data: unknown,
  dataHash: string,
  ctx: FrozenContext,
  reads: string[] | undefined,
): Promise<NodeOutcome> {
  ctx.enterStep(node.name);
  const slot: OutputSlot = { output: undefined, clock: performance.now() };
  const record = await executeStep(options, node.step, node.name, data, dataHash, ctx, reads, slot);
  // The node ran on its own context, so everything in it is the node's own.
  return {
    output: slot.output,
    outputHash: record.outputHash,
    record,
    wrote: record.ctxChanges.wrote,
    metrics: record.ctxChanges.metrics,
    artifacts: ctx.artifacts.entries(),
  };
}

/** Folds what a node did into the replicate's context. */
function merge(ctx: FrozenContext, node: string, done: NodeOutcome): void {
  try {
    for (const [k, v] of Object.entries(done.wrote)) ctx.add(k, v);
    for (const m of done.metrics) ctx.metrics.add(m.name, m.value, m.tags);
    for (const a of done.artifacts) ctx.artifacts.add(a.name, a.data, a.step ?? node);
  } catch (cause) {
    const why =
      cause instanceof ContextMutationError
        ? new ContextMutationError(
            `${cause.message} (another pipeline node already wrote it; branches must write distinct keys and artifacts)`,
          )
        : cause;
    throw new PipelineExecutionError(node, why);
  }
}

/**
 * Runs a branching pipeline for one replicate and condition. Records come in topological
 * order; the output is the sink's. A failing node surfaces as {@link PipelineExecutionError}
 * naming it (the first failure in topological order, after every running branch settled).
 */
export async function runStepGraph(
  options: RunnerOptions,
  graph: StepGraph,
  input: unknown,
  ctx: FrozenContext,
  reads: string[] | undefined,
): Promise<{ output: unknown; records: StepRecord[] }> {
  const base = ctx.toObject();
  delete base['step_name'];
  const inputHash = provenanceHash(input);
  const done = new Map<string, NodeOutcome>();
  const running = new Map<string, Promise<NodeOutcome>>();
  for (const node of graph.nodes) {
    const ups = node.after.map((u) => running.get(u) as Promise<NodeOutcome>);
    running.set(
      node.name,
      (async () => {
        const upstream = await Promise.all(ups);
        let data: unknown = input;
        let dataHash = inputHash;
        if (upstream.length === 1) {
          data = (upstream[0] as NodeOutcome).output;
          dataHash = (upstream[0] as NodeOutcome).outputHash;
        } else if (upstream.length > 1) {
          data = Object.fromEntries(node.after.map((u, i) => [u, upstream[i]?.output]));
          dataHash = provenanceHash(data);
        }
        const nodeReads = reads ? [] : undefined;
        const nodeCtx = nodeContext(base, node, graph, done, ctx, nodeReads);
        try {
          const outcome = await runNode(options, node, data, dataHash, nodeCtx, nodeReads);
          done.set(node.name, outcome);
          return outcome;
        } catch (cause) {
          if (cause instanceof PipelineExecutionError) throw cause;
          throw new PipelineExecutionError(node.name, cause);
        }
      })(),
    );
  }
  const settled = await Promise.allSettled(running.values());
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const records: StepRecord[] = [];
  for (const node of graph.nodes) {
    const outcome = done.get(node.name) as NodeOutcome;
    merge(ctx, node.name, outcome);
    records.push(outcome.record);
  }
  return { output: done.get(graph.sink)?.output, records };
}
