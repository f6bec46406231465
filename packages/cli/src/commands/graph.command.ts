import { basename, resolve } from 'node:path';
import { Graph, alg } from '@dagrejs/graphlib';
import { findExperimentFolders, readFolderInfo } from '@crystallize/config';
import type { Project } from '../project.js';
import { UsageError } from '../usage-error.js';

export type GraphFormat = 'text' | 'mermaid' | 'dot';

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly output: string;
}

/** Nodes, `up#output` edges and an execution order (upstreams first, ties by name). */
export function experimentGraph(dir: string): {
  nodes: string[];
  edges: Edge[];
  order: string[];
  cycles: string[][];
  missing: Edge[];
} {
  const folders = findExperimentFolders(dir);
  const g = new Graph({ directed: true, multigraph: true });
  const nodes = folders.map((f) => basename(f)).sort();
  for (const n of nodes) g.setNode(n);
  const edges: Edge[] = [];
  const missing: Edge[] = [];
  for (const f of folders) {
    for (const r of readFolderInfo(f).references) {
      const e = { from: r.experiment, to: basename(f), output: r.output };
      if (!g.hasNode(r.experiment)) missing.push(e);
      else {
        edges.push(e);
        g.setEdge(e.from, e.to, e.output, e.output);
      }
    }
  }
  const cycles = alg.findCycles(g);
  if (cycles.length) return { nodes, edges, order: [], cycles, missing };
  // Kahn's order with alphabetical ties, so the listing is stable.
  const indegree = new Map(nodes.map((n) => [n, (g.predecessors(n) ?? []).length]));
  const ready = nodes.filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  while (ready.length) {
    ready.sort();
    const n = ready.shift() as string;
    order.push(n);
    for (const s of g.successors(n) ?? []) {
      indegree.set(s, (indegree.get(s) ?? 0) - 1);
      if (indegree.get(s) === 0) ready.push(s);
    }
  }
  return { nodes, edges, order, cycles, missing };
}

const quote = (s: string): string => JSON.stringify(s);
const mermaidId = (s: string): string => s.replace(/[^\w]/g, '_');

/** `crystallize graph [root]` */
export async function graphCommand(
  p: Project,
  dir: string | undefined,
  flags: { format: GraphFormat },
): Promise<number> {
  const root = dir ? resolve(dir) : p.experimentsDir;
  const { nodes, edges, order, cycles, missing } = experimentGraph(root);
  if (nodes.length === 0)
    throw new UsageError(`no experiment folders (with config.yaml) in ${root}.`);
  for (const m of missing)
    process.stderr.write(
      `warning: ${m.to} reads ${m.from}#${m.output}, but there is no experiment '${m.from}' in ${root}\n`,
    );
  if (cycles.length) {
    throw new UsageError(
      `the experiments read each other's outputs in a cycle: ${cycles
        .map((c) =>
          [...c]
            .reverse()
            .concat(c[c.length - 1] as string)
            .join(' -> '),
        )
        .join('; ')}. Remove one of these references.`,
    );
  }
  let out: string;
  if (flags.format === 'mermaid') {
    out = [
      'graph TD',
      ...nodes.map((n) => `  ${mermaidId(n)}[${quote(n)}]`),
      ...edges.map((e) => `  ${mermaidId(e.from)} -->|${e.output}| ${mermaidId(e.to)}`),
    ].join('\n');
  } else if (flags.format === 'dot') {
    out = [
      'digraph experiments {',
      '  rankdir=LR;',
      ...nodes.map((n) => `  ${quote(n)};`),
      ...edges.map((e) => `  ${quote(e.from)} -> ${quote(e.to)} [label=${quote(e.output)}];`),
      '}',
    ].join('\n');
  } else {
    const reads = (n: string): string => {
      const ins = edges.filter((e) => e.to === n).map((e) => `${e.from}#${e.output}`);
      return ins.length ? `  <- ${ins.join(', ')}` : '';
    };
    out = [
      `${nodes.length} experiment(s) in ${root}`,
      'execution order:',
      ...order.map((n, i) => `  ${i + 1}. ${n}${reads(n)}`),
    ].join('\n');
  }
  process.stdout.write(`${out}\n`);
  return 0;
}
