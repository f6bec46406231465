import { hashValue, ValidationError, type Step, type StepLike } from '@crystallize/core';
import { toStep } from '@crystallize/core/internal';
import { StepGraph, type StepGraphSpec } from './step-graph.js';

/**
 * An ordered list of steps, or a DAG of named nodes. Accepts step instances, step classes
 * (built with no explicit params) and `Step.with(...)` factories, in any mix.
 *
 * A node with several upstreams receives `{ [upstream]: output }`; a root receives the data
 * source's output; the one sink's output is the pipeline's output.
 *
 * @example new Pipeline([ScaleData.with({ factor: 1.5 }), Normalize, new ComputeSum()])
 * @example
 * new Pipeline({
 *   load: Load,
 *   left: { step: A, after: 'load' },
 *   right: { step: B, after: 'load' },
 *   join: { step: Join, after: ['left', 'right'] }, // receives { left, right }
 * })
 */
export class Pipeline {
  /** Every step; for a DAG, in topological order. */
  readonly steps: readonly Step[];
  /** The node graph of a branching pipeline; undefined for a linear one. */
  readonly graph: StepGraph | undefined;

  constructor(steps: readonly (StepLike | Step)[] | StepGraphSpec) {
    if (!Array.isArray(steps) && typeof steps === 'object' && steps !== null) {
      this.graph = new StepGraph(steps as StepGraphSpec);
      this.steps = Object.freeze(this.graph.nodes.map((n) => n.step));
      return;
    }
    this.graph = undefined;
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new ValidationError(
        'A Pipeline needs at least one step; got an empty list.',
        'Pipeline',
      );
    }
    const problems: string[] = [];
    const built: Step[] = [];
    (steps as readonly (StepLike | Step)[]).forEach((like, i) => {
      try {
        built.push(toStep(like, `pipeline step ${i}`));
      } catch (e) {
        problems.push((e as Error).message);
      }
    });
    if (problems.length) throw new ValidationError(problems, 'Pipeline');
    this.steps = Object.freeze(built);
  }

  /** Hash of every step's identity (class, version, explicit params, code), in order. */
  signature(): string {
    if (this.graph)
      return hashValue(this.graph.nodes.map((n) => [n.name, n.step.stepHash, n.after]));
    return hashValue(this.steps.map((s) => s.stepHash));
  }

  /** Human-readable signature: `ScaleData>Normalize>ComputeSum`. */
  describe(): string {
    if (this.graph) return this.graph.describe();
    return this.steps.map((s) => s.name).join('>');
  }
}
