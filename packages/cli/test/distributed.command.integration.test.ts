/*
 * `crystallize worker` and `crystallize run --distributed`: a real redis-server (Debian's, on a
 * free port) and real `crystallize worker` processes on copies of a project, as users run them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { startRedis, type RedisServer } from '../../distributed/test/helpers/redis-server.js';
import {
  buildWorkspace,
  crystallize,
  exitOf,
  startCrystallize,
  tempProject,
  until,
} from './cli.js';

const SLOW = 180_000;
let redis: RedisServer;
const started: ReturnType<typeof startCrystallize>[] = [];

beforeAll(async () => {
  buildWorkspace();
  redis = await startRedis();
}, SLOW);

afterEach(async () => {
  for (const w of started.splice(0)) {
    if (w.exitCode === null && w.signalCode === null) {
      w.kill('SIGKILL');
      await exitOf(w);
    }
  }
}, SLOW);

afterAll(async () => {
  await redis?.stop();
}, SLOW);

/**
 * `crystallize --root <root> worker --redis <url> --concurrency 1`, once it says it is ready (the
 * default queue: this file's redis-server is its own, and each test stops its workers).
 */
async function worker(
  root: string,
  args: readonly string[] = [],
): Promise<ReturnType<typeof startCrystallize>> {
  const w = startCrystallize(root, ['worker', '--redis', redis.url, '--concurrency', '1', ...args]);
  started.push(w);
  await until(
    () => w.output.stderr.includes('worker ready') || w.exitCode !== null,
    60_000,
    'a worker to be ready',
  );
  if (w.exitCode !== null) throw new Error(`the worker exited at start:\n${w.output.stderr}`);
  return w;
}

interface RunJson {
  experiments: Record<
    string,
    { result: { metrics: unknown; errors: Record<string, { name: string; message: string }> } }
  >;
}

describe('crystallize worker and run --distributed', () => {
  it(
    'runs a folder experiment on crystallize worker processes with the metrics of a --serial run',
    async () => {
      const root = tempProject('valid');
      const serialRoot = tempProject('valid');
      const workers = [await worker(root), await worker(root)];
      const ran = crystallize(root, [
        'run',
        'scale-demo',
        '--distributed',
        redis.url,
        '--json',
        '--log-level',
        'info',
      ]);
      expect(ran.stderr).not.toContain('Error');
      expect(ran.status).toBe(0);
      expect(ran.stderr).toContain("submitted 4 replicate(s) of 'scale-demo'");
      const serial = crystallize(serialRoot, ['run', 'scale-demo', '--serial', '--json']);
      expect(serial.status).toBe(0);
      const d = (JSON.parse(ran.stdout) as RunJson).experiments['scale-demo']?.result;
      const s = (JSON.parse(serial.stdout) as RunJson).experiments['scale-demo']?.result;
      expect(d?.errors).toEqual({});
      expect(d?.metrics).toEqual(s?.metrics);
      // Results land where a serial run puts them: the stored run reads back the same.
      const shownD = crystallize(root, ['show', 'scale-demo', '--format', 'json']);
      const shownS = crystallize(serialRoot, ['show', 'scale-demo', '--format', 'json']);
      expect((JSON.parse(shownD.stdout) as { metrics: unknown }).metrics).toEqual(
        (JSON.parse(shownS.stdout) as { metrics: unknown }).metrics,
      );
      // Ctrl-C stops a worker cleanly (exit 0).
      const [first] = workers;
      first?.kill('SIGINT');
      expect(await exitOf(first as ReturnType<typeof startCrystallize>)).toBe(0);
    },
    SLOW,
  );

  it(
    "refuses the jobs of a folder experiment whose code differs in the worker's checkout, naming the step",
    async () => {
      const root = tempProject('valid');
      const otherCheckout = tempProject('valid');
      const steps = join(otherCheckout, 'experiments', 'scale-demo', 'steps.ts');
      writeFileSync(
        steps,
        readFileSync(steps, 'utf8').replace('x * this.factor', 'x * this.factor + 0'),
      );
      await worker(otherCheckout);
      const ran = crystallize(root, ['run', 'scale-demo', '--distributed', redis.url, '--json']);
      expect(ran.status).toBe(1);
      const d = (JSON.parse(ran.stdout) as RunJson).experiments['scale-demo']?.result;
      const errors = Object.values(d?.errors ?? {});
      expect(errors).toHaveLength(12); // 4 replicates x 3 conditions, none ran
      expect(errors[0]?.name).toBe('WorkerRefusedError');
      expect(errors[0]?.message).toMatch(/step 'ScaleData' \(#1\): code fingerprint/);
    },
    SLOW,
  );

  it(
    'worker --preload imports the named module in every worker thread before it is ready, and refuses a path outside the project (exit 2)',
    async () => {
      const root = tempProject('valid');
      const w = await worker(root, ['--preload', 'experiments/scale-demo/steps.ts']);
      expect(w.output.stderr).toMatch(/worker ready: .*1 module\(s\) preloaded/);
      // An existing module of another checkout: outside this worker's root, so no job names it.
      const elsewhere = `../${basename(tempProject('valid'))}/experiments/scale-demo/steps.ts`;
      const outside = crystallize(root, ['worker', '--redis', redis.url, '--preload', elsewhere]);
      expect(outside.status).toBe(2);
      expect(outside.stderr).toContain(`preload "${elsewhere}": it is outside the root`);
    },
    SLOW,
  );

  it('exits 2 on bad usage: worker without --redis or with a URL that is not redis://, --distributed with --workers', () => {
    const root = tempProject('valid');
    const none = crystallize(root, ['worker']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("required option '--redis <url>'");
    const http = crystallize(root, ['worker', '--redis', 'http://user:secret@localhost:1']);
    expect(http.status).toBe(2);
    expect(http.stderr).toContain('redis:// or rediss://');
    expect(http.stderr).not.toContain('secret');
    const both = crystallize(root, [
      'run',
      'scale-demo',
      '--distributed',
      redis.url,
      '--workers',
      '2',
    ]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--distributed.*cannot be used with option '--workers/);
  }, 60_000);
});
