import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  startRedis,
  startWorkerProcess,
  submit,
  until,
  type RedisServer,
  type WorkerProcess,
} from './helpers/redis-server.js';

/*
 * Real redis-server, real worker processes (the package's bin), real submitter processes: the
 * submitter loads the experiment module through tsx exactly as the workers do, so their code
 * fingerprints agree (a jest-transpiled submitter would be refused — see refusals.test.ts).
 */

const SLOW = 120_000;
const ROOT = join(process.env['TMPDIR'] ?? '/tmp', `cz-dist-test-${process.pid}`);
let redis: RedisServer;
let workers: WorkerProcess[] = [];
let queueNo = 0;
let queue = '';

function env(): Record<string, string> {
  return { CZ_DIST_ROOT: ROOT, CZ_REDIS_URL: redis.url, CZ_QUEUE: queue };
}

beforeAll(async () => {
  redis = await startRedis();
}, SLOW);

beforeEach(() => {
  queue = `crystallize-test-${process.pid}-${++queueNo}`;
  rmSync(ROOT, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
}, SLOW);

afterAll(async () => {
  await redis?.stop();
  rmSync(ROOT, { recursive: true, force: true });
}, SLOW);

async function startWorkers(n: number, args: readonly string[] = []): Promise<WorkerProcess[]> {
  const started = await Promise.all(
    Array.from({ length: n }, () => startWorkerProcess(redis.url, env(), args)),
  );
  workers.push(...started);
  return started;
}

function storedFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e !== 'metadata.json') out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** `what replicate pid` lines the fixture steps leave when they start. */
function traces(what: string): { replicate: number; pid: number }[] {
  const file = join(ROOT, 'trace.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${what} `))
    .map((l) => {
      const [, r, p] = l.split(' ');
      return { replicate: Number(r), pid: Number(p) };
    });
}

describe('DistributedExecution with real Redis and worker processes', () => {
  it(
    'stores metrics, seeds, provenance, errors and artifacts exactly as a serial run does',
    async () => {
      const ws = await startWorkers(2);
      const serial = await submit(env(), ['serialExp', '4']).report;
      const distributed = await submit(env(), ['distExp', '4']).report;
      expect(distributed.errors).toEqual({});
      expect(distributed.metrics).toEqual(serial.metrics);
      expect(distributed.metrics['baseline']?.['special']).toEqual(
        serial.metrics['baseline']?.['special'],
      );
      expect(distributed.seeds).toEqual(serial.seeds);
      expect(distributed.provenance).toEqual(serial.provenance);
      expect(distributed.errors).toEqual({});
      expect(distributed.artifacts).toEqual(serial.artifacts);
      // the replicates ran in the worker processes
      const ran = new Set(traces('start-baseline').map((t) => t.pid));
      expect(ws.some((w) => ran.has(w.pid))).toBe(true);
      // stored files: the same paths, and the same artifact and result contents
      const a = storedFiles(join(ROOT, 'data', 'dist-serial', 'v0'));
      const b = storedFiles(join(ROOT, 'data', 'dist-run', 'v0'));
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      expect(b[join('replicate_3', 'double', 'WriteArtifact', 'value.json')]).toBe(
        a[join('replicate_3', 'double', 'WriteArtifact', 'value.json')],
      );
      for (const path of Object.keys(a).filter((p) => p.endsWith('results.json'))) {
        expect(JSON.parse(b[path] as string).metrics).toEqual(JSON.parse(a[path] as string).metrics);
      }
    },
    SLOW,
  );
});
