/*
 * A real redis-server for a test (Debian's), on a free port, without persistence; and real
 * worker processes (the package's bin) started against it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deserialize } from 'node:v8';

export const REPO = resolve(import.meta.dirname, '..', '..', '..', '..');
const WORKER_BIN = join(REPO, 'packages', 'distributed', 'dist', 'bin', 'worker.js');

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

function reachable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function until(
  what: string,
  test: () => boolean | Promise<boolean>,
  ms = 15_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function requireRedisServer(): void {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      'these tests need a real redis-server: apt-get update && apt-get install -y redis-server (.ci/run installs it)',
    );
  }
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  /** Stops the server (losing every key: no persistence) and starts it again on the same port. */
  restart(downMs?: number): Promise<void>;
}

export async function startRedis(
  extra: readonly string[] = [],
  tls?: { readonly cert: string; readonly key: string },
): Promise<RedisServer> {
  requireRedisServer();
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const ports = tls
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        tls.cert,
        '--tls-key-file',
        tls.key,
        '--tls-auth-clients',
        'no',
      ]
    : ['--port', String(port)];
  const start = async (): Promise<void> => {
    proc = spawn(
      'redis-server',
      [...ports, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra],
      { stdio: 'ignore' },
    );
    await until(`redis-server on port ${port}`, () => reachable(port));
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    stop,
    async restart(downMs = 500) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
  };
}

export interface WorkerProcess {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** What the worker wrote to stderr so far. */
  output(): string;
  exited(): Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startWorkerProcess(
  redisUrl: string,
  env: Readonly<Record<string, string>>,
  args: readonly string[] = [],
): Promise<WorkerProcess> {
  const proc = spawn(
    process.execPath,
    [
      WORKER_BIN,
      '--redis',
      redisUrl,
      '--root',
      REPO,
      '--concurrency',
      '1',
      '--queue',
      env['CZ_QUEUE'] ?? 'crystallize-test',
      '--lock-duration',
      '1000',
      '--stalled-interval',
      '500',
      ...args,
    ],
    {
      env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let text = '';
  proc.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  await Promise.race([
    until(
      'a worker to be ready',
      () => text.includes('worker ready') || proc.exitCode !== null,
      30_000,
    ),
  ]);
  if (proc.exitCode !== null) throw new Error(`the worker exited at start:\n${text}`);
  return {
    proc,
    pid: proc.pid as number,
    output: () => text,
    exited: () => exit,
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await exit;
    },
  };
}

export { until };

const TSX = join(REPO, 'packages', 'distributed', 'node_modules', 'tsx', 'dist', 'loader.mjs');
const SUBMIT = join(REPO, 'packages', 'distributed', 'test', 'fixtures', 'submit.ts');

export interface Submitter {
  readonly proc: ChildProcess;
  /** Resolves with the decoded report when the process exits 0. */
  readonly report: Promise<SubmitReport>;
  stderr(): string;
}

export interface SubmitReport {
  readonly metrics: Record<string, Record<string, unknown[]>>;
  readonly seeds: Record<string, number[]>;
  readonly provenance: Record<string, unknown>;
  readonly errors: Record<string, { name: string; message: string }>;
  readonly artifacts: Record<string, unknown>;
  readonly aborted: boolean;
  /** Step records in the Result, and how many carry a call time (`durationMs`). */
  readonly calls: { readonly total: number; readonly timed: number };
}

/** Starts a submitter process (loading the fixtures through tsx, from the repo root, as workers do). */
export function submit(env: Readonly<Record<string, string>>, args: readonly string[]): Submitter {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(TSX).href, SUBMIT, ...args], {
    cwd: REPO,
    env: { ...process.env, CRYSTALLIZE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const report = new Promise<SubmitReport>((done, fail) => {
    proc.once('exit', (code, signal) => {
      if (code === 0) done(deserialize(Buffer.from(out, 'base64')) as SubmitReport);
      else fail(new Error(`submitter exited with ${code ?? signal}:\n${err}`));
    });
  });
  report.catch(() => undefined);
  return { proc, report, stderr: () => err };
}
