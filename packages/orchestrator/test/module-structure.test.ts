/*
 * Issue #11 points 1 and 3: the orchestrator's modules depend one way (no import cycles, type-only
 * imports included), each package's public entry lists its exports by name (point 4), the
 * shared shapes live in `model/`, which imports no other folder of the
 * package except the pipeline's and results' types, and no source file grows past ~300 lines
 * unless its header says it is one cohesive algorithm.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as crystallize from 'crystallize';

const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT =
  /(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative imports of each file (type-only ones included), resolved to files. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const deps: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? '';
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (known.has(target)) deps.push(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Every strongly connected group of more than one file (or a file importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || graph.get(v)?.includes(v)) out.push(group);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/**
 * The orchestrator's layers, lowest first (the diagram at the top of its README): a module may
 * import its own layer or lower ones, never a higher one. More specific prefixes come first.
 */
const LAYERS: readonly (readonly string[])[] = [
  [
    'model/step-record.ts',
    'model/outcome.ts',
    'model/serialized-error.ts',
    'model/plugin-kinds.ts',
    'artifacts/content-type.ts',
  ],
  ['pipeline/', 'storage/'],
  ['results/'],
  ['model/experiment-model.ts'],
  ['plugins/', 'artifacts/', 'resume/'],
  ['run/', 'execution/'],
  ['experiment/'],
  ['graph/', 'onramps/'],
  ['index.ts', 'internal.ts'],
];

describe('module structure', () => {
  const packages = readdirSync(packagesDir);

  it.each(packages)('has no import cycle in packages/%s/src, type-only imports included', (pkg) => {
    const files = sources(join(packagesDir, pkg, 'src'));
    const found = cycles(importGraph(files)).map((g) =>
      g.map((f) => relative(packagesDir, f)).sort(),
    );
    expect(found).toEqual([]);
  });

  it('depends one way through the layers the README diagram shows', () => {
    const src = join(packagesDir, 'orchestrator', 'src');
    const graph = importGraph(sources(src));
    const layer = (rel: string): number => {
      const found = LAYERS.findIndex((prefixes) => prefixes.some((p) => rel.startsWith(p)));
      if (found < 0) throw new Error(`${rel} is in no layer of the diagram`);
      return found;
    };
    const upward: string[] = [];
    for (const [file, deps] of graph) {
      const from = relative(src, file);
      for (const d of deps) {
        const to = relative(src, d);
        if (layer(to) > layer(from)) upward.push(`${from} -> ${to}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps every orchestrator source file under ~300 lines unless its header names the algorithm', () => {
    const src = join(packagesDir, 'orchestrator', 'src');
    const long = sources(src)
      .map((f) => ({ f: relative(src, f), text: readFileSync(f, 'utf8') }))
      .filter(({ text }) => text.split('\n').length > 320)
      .filter(({ text }) => !/one cohesive algorithm/i.test(text.slice(0, 1500)))
      .map(({ f }) => f);
    expect(long).toEqual([]);
  });

  it.each(packages)(
    'lists the public exports of packages/%s/src/index.ts by name (no export *)',
    (pkg) => {
      const entry = readFileSync(join(packagesDir, pkg, 'src', 'index.ts'), 'utf8');
      expect(entry).not.toMatch(/export \*/);
    },
  );

  it('keeps internals out of the public entry (they live in @crystallize/<package>/internal)', () => {
    const publicNames = new Set(Object.keys(crystallize));
    for (const internal of [
      'getStepModel',
      'unpackMetrics',
      'normalizeSource',
      'toStep',
      'recordDefinitionSite',
      'FORMAT_VERSION',
      'HEADER_SIZE',
      'readStoredRun',
      'writeFileAtomic',
    ])
      expect(publicNames.has(internal)).toBe(false);
    for (const kept of ['Experiment', 'Pipeline', 'CacheStore', 'welchTTest', 'pipelineStep'])
      expect(publicNames.has(kept)).toBe(true);
  });
});
