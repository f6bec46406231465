import { Graph, alg } from '@dagrejs/graphlib';
import { Step, StepFactory, ValidationError, type StepLike } from '@crystallize/core';
import { toStep } from '@crystallize/core/internal';

/** One node of a branching pipeline: a step and the nodes whose outputs it consumes. */
export interface StepNodeSpec {
  readonly step: StepLike | Step;
  /** Upstream node name(s). None: a root, fed the data source's output. */
  readonly after?: string | readonly string[];
}

/** What `new Pipeline({...})` accepts: node name → step, or `{ step, after }`. */
export type StepGraphSpec = Readonly<Record<string, StepLike | Step | StepNodeSpec>>;

/** A validated pipeline node. */
export interface StepNode {
  readonly name: string;
  readonly step: Step;
  /** Upstream node names, as declared. */
  readonly after: readonly string[];
}

function isNodeSpec(value: unknown): value is StepNodeSpec {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Step) &&
    !(value instanceof StepFactory) &&
    'step' in value
  );
}

/**
 * The nodes of a branching pipeline in topological order, plus its one sink (the pipeline's
 * output). Construction checks the shape and throws one {@link ValidationError} naming every
 * offending node: unknown upstream names, cycles, several sinks, junk steps.
 *
 * Graph algorithms (topological order, cycle finding) come from `@dagrejs/graphlib`: typed,
 * dependency-free, ESM, and the graph core of dagre, so well exercised — not the framework's own job.
 */
export class StepGraph {
  /** Every node, upstreams before downstreams. */
  readonly nodes: readonly StepNode[];
  /** The node whose output is the pipeline's output. */
  readonly sink: string;
  /** Each node's transitive upstreams, in topological order (what its context can see). */
  readonly ancestors: ReadonlyMap<string, readonly string[]>;

  constructor(spec: StepGraphSpec) {
    const names = Object.keys(spec);
    if (names.length === 0) {
      throw new ValidationError(
        'A Pipeline needs at least one step; got an empty object.',
        'Pipeline',
      );
    }
    const problems: string[] = [];
    const byName = new Map<string, StepNode>();
    const graph = new Graph({ directed: true });
    for (const name of names) graph.setNode(name);
    for (const name of names) {
      const raw = spec[name];
      const like = isNodeSpec(raw) ? raw.step : raw;
      const declared = isNodeSpec(raw) ? raw.after : undefined;
      const after =
        declared === undefined ? [] : typeof declared === 'string' ? [declared] : [...declared];
      let step: Step | undefined;
      try {
        step = toStep(like, `pipeline node '${name}'`);
      } catch (e) {
        problems.push((e as Error).message);
      }
      for (const up of after) {
        if (typeof up !== 'string' || !names.includes(up)) {
          problems.push(
            `pipeline node '${name}': 'after' names unknown node '${String(up)}'; known nodes: ${names.join(', ')}`,
          );
        } else {
          graph.setEdge(up, name);
        }
      }
      if (new Set(after).size !== after.length)
        problems.push(`pipeline node '${name}': 'after' lists a node twice`);
      if (step) byName.set(name, { name, step, after: Object.freeze(after) });
    }
    for (const cycle of alg.findCycles(graph)) {
      problems.push(
        `pipeline nodes ${cycle
          .slice()
          .reverse()
          .map((n) => `'${n}'`)
          .join(' -> ')} form a cycle; remove one of their 'after' links`,
      );
    }
    const sinks = graph.sinks();
    // Several sinks is only worth saying when the links themselves are right.
    if (sinks.length > 1 && problems.length === 0) {
      problems.push(
        `pipeline has several sinks (${sinks.map((n) => `'${n}'`).join(', ')}); exactly one node may be ` +
          'the output: join them in a final node, e.g. { step: Join, after: [...] }',
      );
    }
    if (problems.length) throw new ValidationError(problems, 'Pipeline');
    this.nodes = Object.freeze(alg.topsort(graph).map((n) => byName.get(n) as StepNode));
    this.sink = sinks[0] as string;
    const order = new Map(this.nodes.map((n, i) => [n.name, i]));
    const ancestors = new Map<string, readonly string[]>();
    for (const node of this.nodes) {
      const all = new Set<string>();
      for (const up of node.after) {
        for (const a of ancestors.get(up) ?? []) all.add(a);
        all.add(up);
      }
      ancestors.set(
        node.name,
        [...all].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)),
      );
    }
    this.ancestors = ancestors;
  }

  /** Readable shape for logs and metadata: `load=Load; left=A<-load; join=Join<-left,right`. */
  describe(): string {
    return this.nodes
      .map((n) => `${n.name}=${n.step.name}${n.after.length ? `<-${n.after.join(',')}` : ''}`)
      .join('; ');
  }
}
