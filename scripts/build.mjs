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
  'packages/crystallize': ['index.js'],
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
    const entryPoints = entries.map((e) => join(dist, e));
    for (const e of entryPoints) {
      if (!existsSync(e)) throw new Error(`${e} is missing: tsc -b tsconfig.build.json first`);
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
    if (!current.has(name) && statSync(path).mtimeMs < staleBefore) rmSync(path, { force: true });
  }
}
