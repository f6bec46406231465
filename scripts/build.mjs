/**
 * The build: `tsc -b` (type declarations, the per-file JS that tests and tools may import), then
 * one ES module bundle per package with esbuild, which is what `import '<package>'` loads
 * (package.json `exports`). Loading one file instead of dozens of small ones is most of a fresh
 * process's import time.
 *
 *   node scripts/build.mjs           # tsc -b tsconfig.build.json, then the bundles
 *   node scripts/build.mjs --bundle  # the bundles only (tsc output must exist)
 *
 * The bundles are built from tsc's JS output, so the code is exactly what tsc emitted (decorator
 * metadata included). Each bundle lives in `<package>/dist/bundle/` — two folders below the
 * package root, like every tsc output file, so code that finds the packages folder from its own
 * `import.meta.url` works in both. Other packages (ours and third-party) stay external: every
 * package is loaded once, whoever imports it. The orchestrator's tinypool worker is its own entry
 * (`dist/bundle/parallel.worker.js`); code shared by the worker and the package entry goes into a
 * shared chunk so both see one copy of every module, and a module the code imports lazily
 * (`import('./x.js')`) stays lazy: it becomes a chunk loaded on first use.
 *
 * CommonJS (`require('crystallize')`, package.json `exports` → `require`): `dist/cjs/` of each
 * package, a folder with `{"type":"commonjs"}`, holds
 *   - one small entry per public entry point (`index.js`, `internal.js`, ...) that loads the ES
 *     module bundle with `require()` (Node ≥ 20.19 loads ES modules that way), so a CommonJS app,
 *     its worker threads and the `crystallize` bin all share one copy of every module;
 *   - `impl.js`, a real CommonJS bundle of the whole package, which an entry falls back to where
 *     `require()` cannot load an ES module: jest's own module system (a default `ts-jest`
 *     set-up) and Node before 20.19;
 *   - a copy of the package's type declarations, which TypeScript reads as CommonJS there.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Buffer } from 'node:buffer';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/*
 * CommonJS packages are loaded with `require` (a `createRequire` made at the top of the bundle)
 * rather than `import`: importing CommonJS from an ES module makes Node lex the package's source
 * (and every file it re-exports) to find its export names, which cost more at start-up than the
 * packages themselves. They stay external all the same: one copy per process, shared with the
 * user's own imports of them.
 */
const COMMONJS_PACKAGES = ['pino', 'class-transformer', 'reflect-metadata'];

/** @type {import('esbuild').Plugin} */
const requireCommonJs = {
  name: 'require-commonjs',
  setup(b) {
    const filter = new RegExp(`^(${COMMONJS_PACKAGES.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.namespace === 'require-commonjs'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'require-commonjs' },
    );
    b.onLoad({ filter: /.*/, namespace: 'require-commonjs' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
const REQUIRE_BANNER =
  "import { createRequire as __czCreateRequire } from 'node:module';\n" +
  'const require = __czCreateRequire(import.meta.url);';

/** Package folder -> tsc output entries (relative to dist/). */
const BUNDLES = {
  'packages/core': ['index.js', 'internal.js'],
  'packages/cache': ['index.js', 'internal.js'],
  'packages/orchestrator': ['index.js', 'internal.js', 'execution/parallel.worker.js'],
  'packages/stats': ['index.js'],
  'packages/config': ['index.js', 'worker-entry.js'],
  'packages/report': ['index.js'],
  'packages/distributed': ['index.js'],
  'packages/crystallize': ['index.js', { out: 'testing', in: 'testing/index.js' }],
};

/**
 * Package folder -> its CommonJS entries: name in dist/cjs -> [the ES module it loads, the tsc
 * output it is built from], relative to dist/. Every `exports` entry of every package has one.
 */
const COMMONJS_ENTRIES = {
  'packages/core': {
    index: ['bundle/index.js', 'index.js'],
    internal: ['bundle/internal.js', 'internal.js'],
  },
  'packages/cache': {
    index: ['bundle/index.js', 'index.js'],
    internal: ['bundle/internal.js', 'internal.js'],
  },
  'packages/orchestrator': {
    index: ['bundle/index.js', 'index.js'],
    internal: ['bundle/internal.js', 'internal.js'],
  },
  'packages/stats': { index: ['bundle/index.js', 'index.js'] },
  'packages/config': { index: ['bundle/index.js', 'index.js'] },
  'packages/report': { index: ['bundle/index.js', 'index.js'] },
  'packages/distributed': { index: ['bundle/index.js', 'index.js'] },
  'packages/cli': { index: ['index.js', 'index.js'] },
  'packages/crystallize': {
    index: ['bundle/index.js', 'index.js'],
    testing: ['bundle/testing.js', 'testing/index.js'],
  },
};

if (!process.argv.includes('--bundle')) {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'],
    { cwd: root, stdio: 'inherit' },
  );
}

await Promise.all(
  Object.entries(BUNDLES).map(async ([pkg, entries]) => {
    const dist = join(root, pkg, 'dist');
    const outdir = join(dist, 'bundle');
    const entryPoints = entries.map((e) =>
      typeof e === 'string' ? join(dist, e) : { out: e.out, in: join(dist, e.in) },
    );
    for (const e of entryPoints) {
      const file = typeof e === 'string' ? e : e.in;
      if (!existsSync(file))
        throw new Error(`${file} is missing: tsc -b tsconfig.build.json first`);
    }
    const out = await build({
      entryPoints,
      outdir,
      entryNames: '[name]',
      chunkNames: 'chunk-[hash]',
      bundle: true,
      // Shared code and lazily imported modules (import('./x.js')) become chunks of their own.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Every bare specifier (our other packages, third-party ones) is loaded from node_modules.
      packages: 'external',
      // Class and function names are behaviour here (error names, step names, messages).
      keepNames: true,
      sourcemap: true,
      plugins: [requireCommonJs],
      banner: { js: REQUIRE_BANNER },
      logLevel: 'warning',
      write: false,
    });
    writeOutputs(outdir, out.outputFiles);
  }),
);

await Promise.all(
  Object.entries(COMMONJS_ENTRIES).map(([pkg, entries]) => buildCommonJs(pkg, entries)),
);

/** `dist/cjs/` of one package (see the header). */
async function buildCommonJs(pkg, entries) {
  const dist = join(root, pkg, 'dist');
  const outdir = join(dist, 'cjs');
  // The ES module entries the CommonJS bundle is made of (tsc output, as for the ESM bundles).
  const sources = Object.values(entries).map(([, source]) => `./${source}`);
  const out = await build({
    stdin: {
      contents: sources.map((s) => `export * from '${s}';`).join('\n'),
      resolveDir: dist,
      sourcefile: 'impl.js',
      loader: 'js',
    },
    outfile: join(outdir, 'impl.js'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    sourcemap: true,
    // `import.meta.url` is this file's URL, as in the ES module build.
    define: { 'import.meta.url': '__czImportMetaUrl', 'import.meta.dirname': '__dirname' },
    banner: { js: "const __czImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
    write: false,
  });
  const files = [...out.outputFiles];
  const text = (path, contents) => ({ path, contents: Buffer.from(contents) });
  files.push(text(join(outdir, 'package.json'), '{\n  "type": "commonjs"\n}\n'));
  for (const [name, [esm, source]] of Object.entries(entries)) {
    files.push(text(join(outdir, `${name}.js`), commonJsEntry(`../${esm}`)));
    // An entry whose declarations are elsewhere (testing/index.d.ts) gets a d.ts beside it.
    const types = source.replace(/\.js$/, '');
    if (types !== name)
      files.push(text(join(outdir, `${name}.d.ts`), `export * from './${types}.js';\n`));
  }
  // The declarations again, read as CommonJS here (`types` of the `require` condition).
  for (const file of declarationFiles(dist)) {
    files.push({ path: join(outdir, file), contents: readFileSync(join(dist, file)) });
  }
  writeTree(outdir, files);
}

function commonJsEntry(esm) {
  return `'use strict';
// The ES module build, loaded with require() (Node >= 20.19): one copy of every module, whoever
// loads it. Where require() cannot load an ES module (jest's module system, older Node), the
// CommonJS build of the whole package (impl.js).
let loaded;
try {
  loaded = require(${JSON.stringify(esm)});
} catch (error) {
  if (error?.code !== 'ERR_REQUIRE_ESM' && error?.name !== 'SyntaxError') throw error;
  loaded = require('./impl.js');
}
module.exports = loaded;
`;
}

/** Every `.d.ts` under dist/ but the bundle and cjs folders, relative to dist/. */
function declarationFiles(dist, sub = '') {
  const found = [];
  for (const entry of readdirSync(join(dist, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!sub && (entry.name === 'bundle' || entry.name === 'cjs')) continue;
      found.push(...declarationFiles(dist, rel));
    } else if (entry.name.endsWith('.d.ts')) found.push(rel);
  }
  return found;
}

/** writeOutputs for files in subfolders of outdir. */
function writeTree(outdir, files) {
  const byDir = new Map();
  for (const f of files) {
    const dir = dirname(f.path);
    if (!byDir.has(dir)) byDir.set(dir, []);
    byDir.get(dir).push(f);
  }
  for (const [dir, list] of byDir) writeOutputs(dir, list);
}

/**
 * Writes only the files whose content changed, each through a rename, so a process that is
 * loading a bundle meanwhile (tests build and run examples concurrently) never sees a half-written
 * or missing file. Chunks of earlier builds are removed once they are old enough that no process
 * started before this build can still be loading them.
 */
function writeOutputs(outdir, files) {
  mkdirSync(outdir, { recursive: true });
  const current = new Set();
  for (const file of files) {
    current.add(basename(file.path));
    let same = false;
    try {
      same = readFileSync(file.path).equals(file.contents);
    } catch {
      // not there yet
    }
    if (same) continue;
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  const staleBefore = Date.now() - 10 * 60_000;
  for (const name of readdirSync(outdir)) {
    const path = join(outdir, name);
    if (current.has(name)) continue;
    const stat = statSync(path);
    // Subfolders (dist/cjs/<folder>/) are written and cleaned by their own call.
    if (stat.isFile() && stat.mtimeMs < staleBefore) rmSync(path, { force: true });
  }
}
