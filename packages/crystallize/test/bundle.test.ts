/**
 * The build bundles each package into one ES module (scripts/build.mjs): `import 'crystallize'`
 * loads a handful of files instead of ~100 small ones, and what the code loads lazily stays lazy.
 * These tests start real node processes on the built packages and record every module they load.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = resolve(process.cwd());
let dir: string;

beforeAll(() => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'crystallize-bundle-'));
  // A module hook that prints every URL node loads, ES modules and CommonJS alike.
  writeFileSync(
    join(dir, 'hooks.mjs'),
    "export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); }\n",
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The file URLs a fresh node process loads while running `source` from the packages folder. */
function loadedBy(source: string): string[] {
  const script = join(repo, 'packages', 'crystallize', `.bundle-test-${process.pid}.mjs`);
  writeFileSync(script, source);
  try {
    const run = spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), script], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent' },
    });
    if (run.status !== 0) throw new Error(`node failed:\n${run.stdout}${run.stderr}`);
    return run.stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED file://'))
      .map((l) => l.slice('LOADED '.length));
  } finally {
    rmSync(script, { force: true });
  }
}

/** What a fresh node process running `source` from the packages folder prints on stdout. */
function stdoutOf(source: string, env: Record<string, string> = {}): string {
  const script = join(repo, 'packages', 'crystallize', `.bundle-test-${process.pid}.mjs`);
  writeFileSync(script, source);
  try {
    const run = spawnSync(process.execPath, [script], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'silent', ...env },
    });
    if (run.status !== 0) throw new Error(`node failed:\n${run.stdout}${run.stderr}`);
    return run.stdout;
  } finally {
    rmSync(script, { force: true });
  }
}

/** A script line printing which of pino and class-transformer `require` has loaded so far. */
const PRINT_CJS_LOADED = [
  "import { createRequire } from 'node:module';",
  'const loaded = (tag) => console.log(tag, JSON.stringify(Object.keys(createRequire(import.meta.url).cache)',
  '  .filter((f) => /[\\/]node_modules[\\/](pino|class-transformer|acorn)[\\/]/.test(f))',
  '  .map((f) => f.match(/[\\/]node_modules[\\/](pino|class-transformer|acorn)[\\/]/)[1])',
  '  .filter((m, i, all) => all.indexOf(m) === i).sort()));',
].join('\n');

const ours = (urls: string[]): string[] =>
  urls.filter((u) => /\/packages\/[a-z]+\/(dist|src)\//.test(u));

describe('package bundles', () => {
  it("import 'crystallize' loads only bundle files of our packages, at most a few per package", () => {
    const loaded = ours(loadedBy("import 'crystallize';\n"));
    expect(loaded.length).toBeGreaterThanOrEqual(5);
    expect(loaded.filter((u) => !u.includes('/dist/bundle/'))).toEqual([]);
    for (const pkg of ['core', 'cache', 'orchestrator', 'stats', 'config', 'crystallize']) {
      const files = loaded.filter((u) => u.includes(`/packages/${pkg}/dist/bundle/`));
      expect(files.length).toBeGreaterThanOrEqual(1);
      // The entry plus the chunks it shares with the package's other entries (`internal`, and the
      // orchestrator's worker): at most three such chunks.
      expect(files.length).toBeLessThanOrEqual(4);
    }
  });

  it("import 'crystallize' loads none of node:zlib, node:v8 and node:worker_threads: each loads on first use", () => {
    // process.moduleLoadList names every built-in module loaded, however it was (import or require).
    const out = stdoutOf(
      [
        "import { mkdtempSync } from 'node:fs';",
        "import { tmpdir } from 'node:os';",
        "import { join } from 'node:path';",
        "const lazy = ['zlib', 'v8', 'worker_threads'];",
        "const loaded = (tag) => console.log(tag, JSON.stringify(lazy.filter((m) => process.moduleLoadList.includes('NativeModule ' + m))));",
        "const cz = await import('crystallize');",
        "loaded('import');",
        "const store = new cz.CacheStore({ dir: mkdtempSync(join(tmpdir(), 'cz-bundle-cache-')) });",
        "await store.set('step', 'input', { output: [1, 2, 3], metrics: [], artifacts: [] });",
        "if (!(await store.get('step', 'input'))) throw new Error('no hit');",
        "loaded('cache');",
        '',
      ].join('\n'),
    );
    expect(out.trim().split('\n')).toEqual([
      'import []',
      // crc32 for the entry's checksum; the temporary file's name holds the thread id.
      'cache ["zlib","worker_threads"]',
    ]);
  });

  it('a lazily imported module stays lazy: the cache codec and msgpackr load on first cache use only', () => {
    const atImport = loadedBy("import 'crystallize';\n");
    expect(atImport.filter((u) => u.includes('/msgpackr'))).toEqual([]);
    const onUse = loadedBy(
      [
        "import { mkdtempSync } from 'node:fs';",
        "import { tmpdir } from 'node:os';",
        "import { join } from 'node:path';",
        "import { CacheStore } from 'crystallize';",
        "const store = new CacheStore({ dir: mkdtempSync(join(tmpdir(), 'cz-bundle-cache-')) });",
        "await store.set('step', 'input', { output: [1, 2, 3], metrics: [], artifacts: [] });",
        "const hit = await store.get('step', 'input');",
        "if (JSON.stringify(hit?.output) !== '[1,2,3]') throw new Error('no hit');",
        '',
      ].join('\n'),
    );
    expect(onUse.some((u) => u.includes('/msgpackr'))).toBe(true);
  });

  it('the parallel worker is a bundle entry beside the orchestrator bundle, sharing its chunks', () => {
    const loaded = ours(
      loadedBy(
        [
          "import { existsSync } from 'node:fs';",
          "import { fileURLToPath } from 'node:url';",
          "const entry = import.meta.resolve('@crystallize/orchestrator');",
          "const worker = new URL('./parallel.worker.js', entry);",
          "if (!existsSync(fileURLToPath(worker))) throw new Error('no worker at ' + worker);",
          'await import(worker.href);',
          '',
        ].join('\n'),
      ),
    );
    expect(loaded.some((u) => u.endsWith('/orchestrator/dist/bundle/parallel.worker.js'))).toBe(
      true,
    );
    expect(loaded.filter((u) => !u.includes('/dist/bundle/'))).toEqual([]);
  });

  it("import 'crystallize' loads neither pino, class-transformer nor acorn: each loads on first use", () => {
    const out = stdoutOf(
      [
        PRINT_CJS_LOADED,
        "const cz = await import('crystallize');",
        "loaded('import');",
        "cz.rootLogger().info('hello');",
        "loaded('log');",
        'cz.Result.fromJSON(new cz.Result().toJSON());',
        "loaded('json');",
        'cz.codeFingerprint((x) => x + 1);',
        "loaded('fingerprint');",
        '',
      ].join('\n'),
      // The first fingerprint parses (a warm code cache would spare acorn altogether); the
      // first line logged at an enabled level loads pino.
      { CRYSTALLIZE_CODE_CACHE: 'off', CRYSTALLIZE_LOG_LEVEL: 'info' },
    );
    expect(out.trim().split('\n')).toEqual([
      'import []',
      'log ["pino"]',
      'json ["class-transformer","pino"]',
      'fingerprint ["acorn","class-transformer","pino"]',
    ]);
    // Not as an ES module either (it was one, imported by the code fingerprint, before).
    expect(loadedBy("import 'crystallize';\n").filter((u) => u.includes('/acorn/'))).toEqual([]);
  });

  it('loads pino only when a line at an enabled level is logged, and then writes the lines pino would', () => {
    const script = join(repo, 'packages', 'crystallize', `.bundle-test-log-${process.pid}.mjs`);
    writeFileSync(
      script,
      [
        PRINT_CJS_LOADED,
        "const cz = await import('crystallize');",
        "const log = cz.rootLogger().child({ run: 'r1' });",
        "log.info('below the level'); log.debug('below too'); log.child({ step: 's' }).info('below');",
        "loaded('below');",
        "console.log('level', log.level, log.isLevelEnabled('warn'), log.isLevelEnabled('info'));",
        "log.child({}, { level: 'debug' }).debug('a child with its own level');",
        "loaded('child');",
        "log.warn({ n: 1 }, 'at the level');",
        '',
      ].join('\n'),
    );
    try {
      const run = spawnSync(process.execPath, [script], {
        cwd: repo,
        encoding: 'utf8',
        env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'warn' },
      });
      expect(run.status).toBe(0);
      expect(run.stdout.trim().split('\n')).toEqual([
        'below []',
        'level warn true false',
        'child ["pino"]',
      ]);
      const lines = run.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l['msg'], l['run'], l['level']])).toEqual([
        ['a child with its own level', 'r1', 20],
        ['at the level', 'r1', 40],
      ]);
      expect(lines[1]!['n']).toBe(1);
    } finally {
      rmSync(script, { force: true });
    }
  });
});
