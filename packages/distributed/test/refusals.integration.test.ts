import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '@crystallize/core';
import { folderRelativeToRoot, moduleRelativeToRoot, moduleUnderRoot } from '../src/module-path.js';
import { rebuildModuleOf } from '../src/job-source.js';
import { FORMAT, type JobData } from '../src/job-format.js';
import { WorkerRefusedError } from '../src/errors.js';
import {
  startRedis,
  startWorkerProcess,
  type RedisServer,
  type WorkerProcess,
} from './helpers/redis-server.js';

const SLOW = 120_000;

describe('a worker loads modules only under its root', () => {
  const root = mkdtempSync(join(tmpdir(), 'cz-root-'));
  const outside = mkdtempSync(join(tmpdir(), 'cz-outside-'));
  mkdirSync(join(root, 'exp'), { recursive: true });
  writeFileSync(join(root, 'exp', 'a.ts'), 'export {};\n');
  writeFileSync(join(outside, 'evil.ts'), 'export {};\n');
  symlinkSync(join(outside, 'evil.ts'), join(root, 'exp', 'link.ts'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('resolves a relative module path under the root', () => {
    expect(moduleUnderRoot('exp/a.ts', root)).toBe(pathToFileURL(join(root, 'exp', 'a.ts')).href);
  });

  it.each([
    ['an absolute path', join(outside, 'evil.ts'), /absolute path/],
    ['a .. escape', '../evil.ts', /climbs out/],
    ['a .. inside the path', 'exp/../../evil.ts', /climbs out/],
    ['a URL', pathToFileURL(join(outside, 'evil.ts')).href, /URL/],
    ['a link leading out of the root', 'exp/link.ts', /outside the root/],
    ['a file that is not a module', 'exp/data.json', /not a JavaScript or TypeScript module/],
  ])('refuses %s', (_what, path, why) => {
    expect(() => moduleUnderRoot(path, root)).toThrow(WorkerRefusedError);
    expect(() => moduleUnderRoot(path, root)).toThrow(why);
  });

  it('refuses on the submitter side a module outside the project root', () => {
    expect(() => moduleRelativeToRoot(pathToFileURL(join(outside, 'evil.ts')).href, root)).toThrow(
      ValidationError,
    );
    expect(moduleRelativeToRoot(pathToFileURL(join(root, 'exp', 'a.ts')).href, root)).toBe(
      'exp/a.ts',
    );
  });
});

describe('a worker loads folder experiments only under its root', () => {
  const root = mkdtempSync(join(tmpdir(), 'cz-froot-'));
  const outside = mkdtempSync(join(tmpdir(), 'cz-foutside-'));
  mkdirSync(join(root, 'experiments', 'exp'), { recursive: true });
  writeFileSync(join(root, 'experiments', 'exp', 'config.yaml'), 'datasource: x\n');
  mkdirSync(join(root, 'experiments', 'empty'), { recursive: true });
  mkdirSync(join(outside, 'evil'), { recursive: true });
  writeFileSync(join(outside, 'evil', 'config.yaml'), 'datasource: x\n');
  symlinkSync(join(outside, 'evil'), join(root, 'experiments', 'link'));
  const job = (folder: string, options: Record<string, unknown> = {}): JobData => ({
    format: FORMAT,
    run: 'r',
    experiment: 'exp',
    replicate: 0,
    module: '',
    folder: { path: folder, options },
    artifacts: { mode: 'none' },
    spec: '',
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("rebuilds a job's folder experiment through @crystallize/config's entry, under the root", async () => {
    const url = new URL(await rebuildModuleOf(job('experiments/exp', { dataDir: 'data' }), root));
    expect(url.pathname.endsWith('/worker-entry.js')).toBe(true);
    expect(url.searchParams.get('folder')).toBe(join(root, 'experiments', 'exp'));
    expect(JSON.parse(url.searchParams.get('options') ?? '')).toEqual({
      dataDir: join(root, 'data'),
    });
  });

  it.each([
    ['an absolute path', join(outside, 'evil'), /absolute path/],
    ['a .. escape', '../evil', /climbs out/],
    ['a URL', pathToFileURL(join(outside, 'evil')).href, /URL/],
    ['a link leading out of the root', 'experiments/link', /outside the root/],
    ['a folder without config.yaml', 'experiments/empty', /no config\.yaml/],
  ])('refuses %s', async (_what, path, why) => {
    await expect(rebuildModuleOf(job(path), root)).rejects.toThrow(WorkerRefusedError);
    await expect(rebuildModuleOf(job(path), root)).rejects.toThrow(why);
  });

  it('refuses a data folder that is absolute or climbs out with ..', async () => {
    for (const dataDir of [join(outside, 'data'), '../data']) {
      await expect(rebuildModuleOf(job('experiments/exp', { dataDir }), root)).rejects.toThrow(
        /absolute paths and \.\. are refused/,
      );
    }
  });

  it('refuses on the submitter side a folder outside the project root', () => {
    expect(() => folderRelativeToRoot(join(outside, 'evil'), root)).toThrow(ValidationError);
    expect(folderRelativeToRoot(join(root, 'experiments', 'exp'), root)).toBe('experiments/exp');
  });
});

describe("a worker whose code differs from the submitter's", () => {
  let redis: RedisServer;
  let worker: WorkerProcess | undefined;
  const ROOT = mkdtempSync(join(tmpdir(), 'cz-refuse-'));
  const queue = `crystallize-refuse-${process.pid}`;

  beforeAll(async () => {
    redis = await startRedis();
  }, SLOW);
  afterAll(async () => {
    await worker?.kill();
    await redis?.stop();
    rmSync(ROOT, { recursive: true, force: true });
  }, SLOW);

  it(
    'refuses the job naming each differing step, is not retried, and the submitter reports it',
    async () => {
      const env = { CZ_DIST_ROOT: ROOT, CZ_REDIS_URL: redis.url, CZ_QUEUE: queue };
      Object.assign(process.env, env);
      worker = await startWorkerProcess(redis.url, env);
      // This test file is transpiled by ts-jest; the worker loads the module through tsx: the
      // steps' code, as each side sees it, differs — exactly what a stale checkout looks like.
      const { throwsExp } = await import('./fixtures/experiments.js');
      const result = await throwsExp.run({ replicates: 2 });
      expect(Object.keys(result.errors).sort()).toEqual(['baseline_rep_0', 'baseline_rep_1']);
      const error = result.errors['baseline_rep_0'] as Error;
      expect(error.name).toBe('WorkerRefusedError');
      expect(error.message).toMatch(
        /step 'Throws' \(#1\): code fingerprint \w+ where the run was submitted, \w+ here/,
      );
      // refused before running: the step never started, and each job ran once (no retries)
      expect(existsSync(join(ROOT, 'trace.log'))).toBe(false); // the step never started
      expect(worker.output().match(/refused:/g)).toHaveLength(2);
    },
    SLOW,
  );
});
