import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '@crystallize/core';
import { preloadUnderRoot } from '../src/module-path.js';
import { startWorker } from '../src/worker.js';
import {
  REPO,
  startRedis,
  startWorkerProcess,
  submit,
  type RedisServer,
  type WorkerProcess,
} from './helpers/redis-server.js';

/*
 * Warm workers: `--preload` has every worker thread import the experiment's module before the
 * first job (real redis-server, real worker processes); and the submitter loads BullMQ with the
 * plugin, not inside run() (a real node process on the built package).
 */

const SLOW = 120_000;
const FIXTURE = 'packages/distributed/test/fixtures/experiments.ts';
const ROOT = join(process.env['TMPDIR'] ?? '/tmp', `cz-dist-preload-${process.pid}`);

/** `import <threadId> <pid>` lines the fixture module leaves when a thread imports it. */
function imports(pid: number): number[] {
  const file = join(ROOT, 'imports.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('import ') && l.endsWith(` ${pid}`))
    .map((l) => Number(l.split(' ')[1]));
}

describe('a worker started with preload', () => {
  let redis: RedisServer;
  let worker: WorkerProcess | undefined;
  const queue = `crystallize-preload-${process.pid}`;
  const env = (): Record<string, string> => ({
    CZ_DIST_ROOT: ROOT,
    CZ_REDIS_URL: redis.url,
    CZ_QUEUE: queue,
    CZ_TRACE_IMPORTS: '1',
  });

  beforeAll(async () => {
    rmSync(ROOT, { recursive: true, force: true });
    redis = await startRedis();
  }, SLOW);

  afterAll(async () => {
    await worker?.kill();
    await redis?.stop();
    rmSync(ROOT, { recursive: true, force: true });
  }, SLOW);

  it(
    'imports the module in its worker thread before taking a job, and its jobs use that import',
    async () => {
      worker = await startWorkerProcess(redis.url, env(), ['--preload', FIXTURE]);
      expect(worker.output()).toMatch(/worker ready: .*1 module\(s\) preloaded/);
      // Imported once, at start, in a worker thread (not the main thread, id 0).
      const atStart = imports(worker.pid);
      expect(atStart).toHaveLength(1);
      expect(atStart[0]).toBeGreaterThan(0);

      const report = await submit(env(), ['distExp', '3']).report;
      expect(report.errors).toEqual({});
      expect(Object.values(report.metrics['baseline'] ?? {})[0]).toHaveLength(3);
      // The jobs named the same module: the thread's import served them, none was added.
      expect(imports(worker.pid)).toEqual(atStart);
    },
    SLOW,
  );
});

describe('preload paths', () => {
  const root = mkdtempSync(join(tmpdir(), 'cz-preload-root-'));
  mkdirSync(join(root, 'exp'), { recursive: true });
  writeFileSync(join(root, 'exp', 'a.ts'), 'export {};\n');
  writeFileSync(join(root, 'exp', 'data.json'), '{}\n');
  const outside = mkdtempSync(join(tmpdir(), 'cz-preload-outside-'));
  writeFileSync(join(outside, 'b.ts'), 'export {};\n');
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('resolves a module relative to the root (or absolute inside it) to the URL its jobs import', () => {
    const url = pathToFileURL(join(root, 'exp', 'a.ts')).href;
    expect(preloadUnderRoot('exp/a.ts', root)).toBe(url);
    expect(preloadUnderRoot(join(root, 'exp', 'a.ts'), root)).toBe(url);
  });

  it.each([
    ['a missing module', 'exp/missing.ts', /no such file/],
    ['a module outside the root', join(outside, 'b.ts'), /outside the root/],
    ['a .. escape', '../' + join(outside, 'b.ts').split('/').slice(-2).join('/'), /outside/],
    ['a file that is not a module', 'exp/data.json', /not a JavaScript or TypeScript module/],
  ])(
    'startWorker refuses %s before connecting, naming the preload option',
    async (_what, path, why) => {
      // Port 1: nothing listens there, so getting past the check would hang or fail differently.
      const started = startWorker({ connection: 'redis://127.0.0.1:1', root, preload: [path] });
      await expect(started).rejects.toThrow(ValidationError);
      await expect(started).rejects.toThrow(why);
      await expect(started).rejects.toThrow(/preload/);
    },
  );
});

describe('the submitting process', () => {
  it(
    'loads BullMQ when the plugin is constructed on the main thread, and not in worker threads',
    () => {
      const bundle = pathToFileURL(
        join(REPO, 'packages', 'distributed', 'dist', 'bundle', 'index.js'),
      ).href;
      // In a fresh node process: whether bullmq is in the module cache right after
      // `new DistributedExecution(...)`, on the main thread and in a worker thread (there after
      // the loop had time to finish any import started in the background).
      const script = `
        import { createRequire } from 'node:module';
        import { Worker, isMainThread, parentPort } from 'node:worker_threads';
        const { DistributedExecution } = await import(${JSON.stringify(bundle)});
        const cache = createRequire(${JSON.stringify(bundle)}).cache;
        const loaded = () => Object.keys(cache).some((k) => /[\\\\/]bullmq[\\\\/]/.test(k));
        const before = loaded();
        new DistributedExecution({ connection: 'redis://127.0.0.1:1' });
        const after = loaded();
        if (isMainThread) {
          const thread = new Worker(new URL(import.meta.url), { eval: false });
          const inThread = await new Promise((done) => thread.once('message', done));
          console.log(JSON.stringify({ before, after, inThread }));
        } else {
          await new Promise((r) => setTimeout(r, 1000));
          parentPort.postMessage({ before, after: loaded() });
        }
      `;
      const dir = mkdtempSync(join(tmpdir(), 'cz-preload-submitter-'));
      const file = join(dir, 'submitter.mjs');
      writeFileSync(file, script);
      const out = spawnSync(process.execPath, [file], { encoding: 'utf8' });
      rmSync(dir, { recursive: true, force: true });
      expect(out.stderr).toBe('');
      expect(JSON.parse(out.stdout.trim())).toEqual({
        before: false,
        after: true,
        inThread: { before: false, after: false },
      });
    },
    SLOW,
  );
});
