import { Graph, alg } from '@dagrejs/graphlib';
import {
  CrystallizeError,
  ValidationError,
  type DataSource,
  type Treatment,
} from '@crystallize/core';
import {
  isExperimentModel,
  type ExperimentModel,
  type RunOptions,
  type Strategy,
} from '../model/experiment-model.js';
import type { Result } from '../results/result.js';
import { allConditionsStored, missingOutputs } from './graph-resume.js';
import { withMathRandomRestored } from '../run/seeded-random.js';
import { ExperimentGraphError } from './experiment-graph-error.js';
import type { GraphEvent, GraphRunOptions } from './graph-events.js';
import { upstreamReads } from './upstream-reads.js';

interface NodeState {
  readonly status: 'completed' | 'reused' | 'failed' | 'skipped';
  readonly result?: Result;
  readonly error?: Error;
  readonly reason?: string;
}

/**
 * Experiments chained through artifacts, run in dependency order. Edges come from artifacts
 * (a data source reading an `Artifact` another experiment lists in `outputs`, or
 * `exp.artifactDatasource(...)`) and from {@link ExperimentGraph.addDependency}.
 *
 * A graph must be one connected whole: experiments with no path between them belong in
 * separate graphs (or separate `run()` calls), and a second component is almost always a
 * forgotten edge. A graph of one experiment is connected, and simply runs it.
 *
 * Independent experiments run concurrently in this thread (their awaits interleave, so
 * `Math.random` is only as deterministic as AsyncExecution makes it; `ctx.rng` stays exact).
 * Graph algorithms come from `@dagrejs/graphlib`.
 *
 * @example
 * const graph = ExperimentGraph.fromExperiments([train, evaluate]);
 * const results = await graph.run({ onEvent: (e) => console.log(e.type, e.experiment) });
 * results.evaluate.metrics.baseline.metrics;
 */
export class ExperimentGraph {
  /** Edges point from upstream to downstream. */
  readonly #graph = new Graph({ directed: true });
  readonly #experiments = new Map<string, ExperimentModel>();

  /** A graph of `experiments` with edges inferred from the artifacts they read. */
  static fromExperiments(experiments: readonly ExperimentModel[]): ExperimentGraph {
    const graph = new ExperimentGraph();
    for (const exp of experiments) graph.addExperiment(exp);
    graph.validate();
    return graph;
  }

  /** The experiments, upstreams first. */
  get experiments(): readonly ExperimentModel[] {
    return alg.topsort(this.#graph).map((n) => this.#experiments.get(n) as ExperimentModel);
  }

  /** The names of the experiments `name` depends on directly. */
  upstreamOf(name: string): string[] {
    return this.#graph.predecessors(name) ?? [];
  }

  /**
   * Adds an experiment (it must have a `name`). Edges to and from experiments already in the
   * graph are inferred from the artifacts they read.
   */
  addExperiment(experiment: ExperimentModel): this {
    if (!isExperimentModel(experiment))
      throw new ValidationError('ExperimentGraph.addExperiment: expected an Experiment');
    const name = experiment.name;
    if (!experiment.named) {
      throw new ValidationError(
        `ExperimentGraph: an experiment has no name (its default would be '${name}'). ` +
          'Graph results and stored artifacts are keyed by name: give it new Experiment({ name, ... }).',
      );
    }
    const known = this.#experiments.get(name);
    if (known === experiment) return this;
    if (known) throw new ValidationError(`ExperimentGraph: two experiments are named '${name}'`);
    for (const out of experiment.outputs) {
      for (const [other, exp] of this.#experiments) {
        if (exp.outputs.includes(out)) {
          throw new ValidationError(
            `ExperimentGraph: artifact '${out.name}' is produced by both '${other}' and '${name}'; give each experiment its own Artifact.`,
          );
        }
      }
    }
    this.#experiments.set(name, experiment);
    this.#graph.setNode(name);
    for (const [other, exp] of this.#experiments) {
      if (other === name) continue;
      if (reads(experiment, exp)) this.#graph.setEdge(other, name);
      if (reads(exp, experiment)) this.#graph.setEdge(name, other);
    }
    const cycles = alg.findCycles(this.#graph);
    if (cycles.length) {
      this.#graph.removeNode(name);
      this.#experiments.delete(name);
      throw new ValidationError(cycles.map(describeCycle), 'ExperimentGraph');
    }
    return this;
  }

  /** Makes `downstream` wait for `upstream` (either may be given by name once added). */
  addDependency(downstream: ExperimentModel | string, upstream: ExperimentModel | string): this {
    const down = this.#resolve(downstream);
    const up = this.#resolve(upstream);
    this.#graph.setEdge(up, down);
    const cycles = alg.findCycles(this.#graph);
    if (cycles.length) {
      this.#graph.removeEdge(up, down);
      throw new ValidationError(cycles.map(describeCycle), 'ExperimentGraph');
    }
    return this;
  }

  #resolve(ref: ExperimentModel | string): string {
    if (typeof ref !== 'string') {
      this.addExperiment(ref);
      return ref.name;
    }
    if (!this.#experiments.has(ref)) {
      throw new ValidationError(
        `ExperimentGraph: no experiment named '${ref}'; add it with addExperiment() first (known: ${[...this.#experiments.keys()].join(', ') || 'none'})`,
      );
    }
    return ref;
  }

  /** Throws {@link ValidationError} listing every structural problem of the graph. */
  validate(): void {
    const problems: string[] = [];
    if (this.#experiments.size === 0) problems.push('the graph has no experiments');
    const components = alg.components(this.#graph);
    if (components.length > 1) {
      problems.push(
        `experiments are disconnected: ${components.map((c) => `[${c.join(', ')}]`).join(' and ')} share no artifact or dependency. ` +
          'Connect them with addDependency(), or run them as separate graphs.',
      );
    }
    for (const cycle of alg.findCycles(this.#graph)) problems.push(describeCycle(cycle));
    const producers = new Map<DataSource, string[]>();
    for (const [name, exp] of this.#experiments)
      for (const out of exp.outputs) producers.set(out, [...(producers.get(out) ?? []), name]);
    for (const [artifact, names] of producers) {
      if (names.length > 1)
        problems.push(
          `artifact '${artifact.name}' is produced by ${names.map((n) => `'${n}'`).join(' and ')}`,
        );
    }
    if (problems.length) throw new ValidationError(problems, 'ExperimentGraph');
  }

  /**
   * Runs every experiment after its upstreams and resolves with `{ [name]: Result }` in
   * topological order. A failed experiment (its run threw, or a replicate failed) makes its
   * dependents `skipped`; other branches still run, and the run then rejects with
   * {@link ExperimentGraphError} carrying the results that exist.
   */
  async run(options: GraphRunOptions = {}): Promise<Record<string, Result>> {
    this.validate();
    const order = alg.topsort(this.#graph);
    const treatments = this.#treatments(order, options.treatments);
    const emit = (event: GraphEvent): void => options.onEvent?.(event);
    const states = new Map<string, Promise<NodeState>>();
    // Concurrent experiments reseed Math.random in turn; give the process its own back.
    return withMathRandomRestored(async () => {
      for (const name of order) {
        const parents = this.upstreamOf(name).map(
          (p) => [p, states.get(p) as Promise<NodeState>] as const,
        );
        states.set(
          name,
          (async (): Promise<NodeState> => {
            const ups = await Promise.all(parents.map(async ([p, s]) => [p, await s] as const));
            const bad = ups.find(([, s]) => s.status === 'failed' || s.status === 'skipped');
            if (bad) {
              const reason = `upstream '${bad[0]}' ${bad[1].status === 'failed' ? 'failed' : 'was skipped'}${
                bad[1].error
                  ? `: ${bad[1].error.message}`
                  : bad[1].reason
                    ? ` (${bad[1].reason})`
                    : ''
              }`;
              emit({ type: 'skipped', experiment: name, reason });
              return { status: 'skipped', reason };
            }
            if (options.signal?.aborted || options.drain?.aborted) {
              emit({ type: 'skipped', experiment: name, reason: 'the run was aborted' });
              return { status: 'skipped', reason: 'the run was aborted' };
            }
            const upstreamRan = ups.some(([, s]) => s.status === 'completed');
            return this.#runNode(name, treatments.get(name) ?? [], upstreamRan, options, emit);
          })(),
        );
      }
      const settled = new Map<string, NodeState>();
      for (const name of order) settled.set(name, await (states.get(name) as Promise<NodeState>));
      const results: Record<string, Result> = {};
      const failures: Record<string, Error> = {};
      const skipped: Record<string, string> = {};
      for (const [name, s] of settled) {
        if (s.result) results[name] = s.result;
        if (s.status === 'failed') failures[name] = s.error as Error;
        if (s.status === 'skipped') skipped[name] = s.reason ?? 'skipped';
      }
      if (Object.keys(failures).length || Object.keys(skipped).length)
        throw new ExperimentGraphError(results, failures, skipped);
      return results;
    });
  }

  async #runNode(
    name: string,
    treatments: readonly Treatment[],
    upstreamRan: boolean,
    options: GraphRunOptions,
    emit: (event: GraphEvent) => void,
  ): Promise<NodeState> {
    const exp = this.#experiments.get(name) as ExperimentModel;
    const base: RunOptions = {
      treatments,
      ...(options.replicates !== undefined ? { replicates: options.replicates } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.drain ? { drain: options.drain } : {}),
    };
    // Resume trusts stored conditions only while what they were computed from stands still:
    // an upstream that ran again may have changed this node's input, which its fingerprint
    // cannot see; a downstream that needs a file this node lacks needs this node run again.
    let strategy: Strategy = options.strategy ?? 'rerun';
    let reusable = false;
    let result: Result;
    try {
      if (
        strategy === 'resume' &&
        (upstreamRan ||
          missingOutputs(
            this.#experiments.get(name) as ExperimentModel,
            (this.#graph.successors(name) ?? []).map(
              (c) => this.#experiments.get(c) as ExperimentModel,
            ),
            base,
          ))
      )
        strategy = 'rerun';
      reusable = strategy === 'resume' && allConditionsStored(exp, base);
      if (!reusable) emit({ type: 'running', experiment: name, strategy });
      result = await exp.run({ ...base, strategy });
    } catch (e) {
      const error = e instanceof Error ? e : new CrystallizeError(String(e));
      emit({ type: 'failed', experiment: name, error });
      return { status: 'failed', error };
    }
    const failed = Object.keys(result.errors);
    if (failed.length) {
      const error = new CrystallizeError(
        `${failed.length} replicate(s) failed (${failed.join(', ')}); downstream experiments would read missing artifacts`,
      );
      emit({ type: 'failed', experiment: name, error });
      return { status: 'failed', error, result };
    }
    emit({ type: reusable ? 'reused' : 'completed', experiment: name, result });
    return { status: reusable ? 'reused' : 'completed', result };
  }

  /** Treatments per node: its parents' (transitively), then its own, its own winning by name. */
  #treatments(
    order: readonly string[],
    override: readonly Treatment[] | undefined,
  ): Map<string, readonly Treatment[]> {
    const out = new Map<string, readonly Treatment[]>();
    for (const name of order) {
      if (override) {
        out.set(name, override);
        continue;
      }
      const merged = new Map<string, Treatment>();
      for (const p of this.upstreamOf(name))
        for (const t of out.get(p) ?? []) merged.set(t.name, t);
      for (const t of (this.#experiments.get(name) as ExperimentModel).treatments)
        merged.set(t.name, t);
      out.set(name, [...merged.values()]);
    }
    return out;
  }
}

/** Whether `downstream` reads an artifact `upstream` produces. */
function reads(downstream: ExperimentModel, upstream: ExperimentModel): boolean {
  return upstreamReads(downstream).some((r) => r.producers.some((p) => p.name === upstream.name));
}

function describeCycle(cycle: readonly string[]): string {
  return `experiments ${[...cycle]
    .reverse()
    .map((n) => `'${n}'`)
    .join(' -> ')} depend on each other in a cycle; remove one of those dependencies`;
}
