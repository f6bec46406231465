// `pnpm lint` step: no import cycles between the source files of a package (type-only imports,
// `export ... from` and dynamic `import()` included) nor between packages.
//
// Cycles that exist today are allow-listed in scripts/known-import-cycles.json as the import
// edges that lie on a cycle (an edge a -> b whose files are in one strongly connected component).
// Any cycle made only of known edges existed already, so a NEW cycle always brings an edge that is
// not in the list: that edge fails the check, with a cycle through it. The known cycles are
// printed on every run. When a restructure removes cycles, `pnpm cycles:update` shrinks the list;
// the goal is an empty list.
//
//   node scripts/check-cycles.mjs            check (exit 1 on a new cycle)
//   node scripts/check-cycles.mjs --update   rewrite the allow-list from the current code
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// `--root <dir>` checks another workspace (the script's own tests use it).
const rootArg = process.argv.indexOf('--root');
const root =
  rootArg >= 0
    ? resolve(process.argv[rootArg + 1])
    : resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALLOW_FILE = join(root, 'scripts', 'known-import-cycles.json');
const rel = (p) => relative(root, p).split('\\').join('/');

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(m|c)?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Workspace projects: packages/* and apps/*, each with its package name and src files. */
const projects = ['packages', 'apps'].flatMap((top) =>
  (existsSync(join(root, top)) ? readdirSync(join(root, top), { withFileTypes: true }) : [])
    .filter((e) => e.isDirectory() && existsSync(join(root, top, e.name, 'package.json')))
    .map((e) => {
      const dir = join(root, top, e.name);
      const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { name, dir: rel(dir), files: sourceFiles(join(dir, 'src')) };
    }),
);
const byName = new Map(projects.map((p) => [p.name, p]));

/** Local file -> local files it imports; package name -> package names it imports. */
const fileEdges = new Map();
const packageEdges = new Map(projects.map((p) => [p.name, new Set()]));
for (const project of projects) {
  for (const file of project.files) {
    const targets = new Set();
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec);
        const candidates = [
          base.replace(/\.(m|c)?js$/, '.$1ts'),
          base,
          `${base}.ts`,
          join(base, 'index.ts'),
        ];
        const hit = candidates.find((c) => project.files.includes(c));
        if (hit) targets.add(rel(hit));
      } else {
        const pkg = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : spec.split('/')[0];
        if (byName.has(pkg) && pkg !== project.name) packageEdges.get(project.name).add(pkg);
      }
    }
    fileEdges.set(rel(file), targets);
  }
}

/** Tarjan's strongly connected components of size > 1 (or with a self-loop). */
function cyclicComponents(edges) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const out = [];
  const visit = (v) => {
    state.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!state.has(w)) {
        visit(w);
        state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
      } else if (state.get(w).onStack) {
        state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
      }
    }
    if (state.get(v).low === state.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? new Set()).has(v)) out.push(component.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!state.has(v)) visit(v);
  return out;
}

/** The edges inside one component: exactly the edges that lie on some cycle. */
function cycleEdges(edges, components) {
  const result = [];
  for (const component of components) {
    const members = new Set(component);
    for (const a of component) {
      for (const b of edges.get(a) ?? []) if (members.has(b)) result.push(`${a} -> ${b}`);
    }
  }
  return result.sort();
}

/** A shortest cycle through the edge a -> b (a path from b back to a, breadth first). */
function cycleThrough(edges, a, b) {
  const previous = new Map([[b, null]]);
  const queue = [b];
  while (queue.length > 0) {
    const v = queue.shift();
    if (v === a) break;
    for (const w of edges.get(v) ?? []) {
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  const path = [];
  for (let v = a; v !== null && v !== undefined; v = previous.get(v)) path.unshift(v);
  return [a, ...path].join('\n      -> ');
}

const fileComponents = cyclicComponents(fileEdges);
const packageComponents = cyclicComponents(packageEdges);
const current = cycleEdges(fileEdges, fileComponents);

if (process.argv.includes('--update')) {
  const body = {
    comment:
      'Import edges that lie on a cycle today (generated by `pnpm cycles:update`). A new cycle ' +
      'fails `pnpm lint`; remove cycles and regenerate until this list is empty.',
    edges: current,
  };
  mkdirSync(dirname(ALLOW_FILE), { recursive: true });
  writeFileSync(ALLOW_FILE, JSON.stringify(body, null, 2) + '\n');
  process.stdout.write(
    `check-cycles: wrote ${current.length} known cycle edges to ${rel(ALLOW_FILE)}\n`,
  );
  process.exit(0);
}

const known = new Set(
  existsSync(ALLOW_FILE) ? JSON.parse(readFileSync(ALLOW_FILE, 'utf8')).edges : [],
);
const fresh = current.filter((e) => !known.has(e));
const gone = [...known].filter((e) => !current.includes(e));

for (const component of fileComponents) {
  process.stdout.write(
    `check-cycles: known cycle among ${component.length} files: ${component.join(', ')}\n`,
  );
}
if (gone.length > 0) {
  process.stdout.write(
    `check-cycles: ${gone.length} allow-listed edge(s) no longer on a cycle; run \`pnpm cycles:update\` to shrink the list\n`,
  );
}
const failures = [
  ...packageComponents.map((c) => `packages import each other in a cycle: ${c.join(', ')}`),
  ...fresh.map((edge) => {
    const [a, b] = edge.split(' -> ');
    return `new import cycle through ${edge}:\n      ${cycleThrough(fileEdges, a, b)}`;
  }),
];
if (failures.length > 0) {
  process.stderr.write(
    failures.map((f) => `check-cycles: ${f}\n`).join('') +
      'Fix: move the shared shapes into a module that imports only leaves (types, constants), or ' +
      'depend on an interface instead of the class. Type-only imports count too.\n',
  );
  process.exit(1);
}
process.stdout.write(
  `check-cycles: no new import cycle (${fileEdges.size} files, ${projects.length} packages; ${current.length} known cycle edges)\n`,
);
