import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactRedisUrl } from '../src/connection.js';
import { resolveConnection } from '../src/connection.js';
import { DistributedExecution } from '../src/distributed.execution.js';
import { startRedis, startWorkerProcess, submit } from './helpers/redis-server.js';

const SLOW = 120_000;
const SECRET = 'pa55-W0rd-n0t-in-logs';

function everyFile(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .map((e) => join(dir, e))
    .map((p) => (statSync(p).isDirectory() ? everyFile(p) : readFileSync(p, 'utf8')))
    .join('\n');
}

describe('Redis connections', () => {
  it('reads user, password, database and TLS from redis:// and rediss:// URLs', () => {
    expect(resolveConnection(`redis://alice:${SECRET}@db.example:6380/2`).options).toEqual({
      host: 'db.example',
      port: 6380,
      username: 'alice',
      password: SECRET,
      db: 2,
    });
    expect(resolveConnection('rediss://db.example').options).toEqual({
      host: 'db.example',
      port: 6379,
      tls: { servername: 'db.example' },
    });
    // No SNI for an IP address (RFC 6066).
    expect(resolveConnection('rediss://127.0.0.1:6390').options).toEqual({
      host: '127.0.0.1',
      port: 6390,
      tls: {},
    });
    expect(() => resolveConnection(`http://alice:${SECRET}@x`)).toThrow(
      /redis:\/\/ or rediss:\/\//,
    );
  });

  it('never shows the password: not in messages, JSON, or the plugin', () => {
    expect(redactRedisUrl(`redis://alice:${SECRET}@h:1`)).toBe('redis://alice:***@h:1');
    const plugin = new DistributedExecution({ connection: `redis://alice:${SECRET}@h:1` });
    expect(plugin.connection).toBe('redis://alice:***@h:1');
    expect(JSON.stringify(plugin)).not.toContain(SECRET);
    expect(JSON.stringify({ ...plugin })).not.toContain(SECRET);
    let message = '';
    try {
      resolveConnection(`redis://alice:${SECRET}@h:1/not-a-db`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/database number/);
    expect(message).not.toContain(SECRET);
  });

  it(
    'runs with redis://user:password@host and keeps the password out of logs and stored results',
    async () => {
      const redis = await startRedis([
        '--user',
        'default',
        'off',
        '--user',
        'alice',
        'on',
        `>${SECRET}`,
        '~*',
        '&*',
        '+@all',
      ]);
      const ROOT = mkdtempSync(join(tmpdir(), 'cz-auth-'));
      const url = redis.url.replace('redis://', `redis://alice:${SECRET}@`);
      const env = { CZ_DIST_ROOT: ROOT, CZ_REDIS_URL: url, CZ_QUEUE: 'auth' };
      const worker = await startWorkerProcess(url, env);
      try {
        const run = submit(env, ['distExp', '2']);
        const result = await run.report;
        expect(result.errors).toEqual({});
        expect(result.metrics['baseline']?.['y']).toHaveLength(2);
        expect(worker.output()).toContain('alice:***@');
        expect(worker.output()).not.toContain(SECRET);
        expect(run.stderr()).not.toContain(SECRET);
        expect(everyFile(ROOT)).not.toContain(SECRET);
      } finally {
        await worker.kill();
        await redis.stop();
        rmSync(ROOT, { recursive: true, force: true });
      }
    },
    SLOW,
  );

  it(
    'runs over TLS with rediss://',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cz-tls-'));
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1,DNS:localhost',
        ],
        { stdio: 'ignore' },
      );
      const redis = await startRedis([], { cert, key });
      expect(redis.url).toMatch(/^rediss:\/\//);
      // The workers and the submitter trust the test's certificate the standard Node way.
      const env = {
        CZ_DIST_ROOT: dir,
        CZ_REDIS_URL: redis.url,
        CZ_QUEUE: 'tls',
        NODE_EXTRA_CA_CERTS: cert,
      };
      const worker = await startWorkerProcess(redis.url, env);
      try {
        const result = await submit(env, ['distExp', '2']).report;
        expect(result.errors).toEqual({});
        expect(result.metrics['baseline']?.['y']).toHaveLength(2);
      } finally {
        await worker.kill();
        await redis.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});
