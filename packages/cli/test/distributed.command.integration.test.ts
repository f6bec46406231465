/*
 * `crystallize worker` and `crystallize run --distributed`: a real redis-server (Debian's, on a
 * free port) and real `crystallize worker` processes on copies of a project, as users run them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
      const ran = crystallize(root, ['run', 'scale-demo', '--distributed', redis.url, '--json']);
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
});
