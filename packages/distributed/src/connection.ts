import { createRequire } from 'node:module';
import type * as Net from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { RedisOptions } from 'bullmq';

/**
 * Where Redis is: a URL (`redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS),
 * a URL with TLS options (a private CA, client certificates), or ioredis options.
 */
export type RedisConnection =
  string | { readonly url: string; readonly tls?: TlsOptions } | RedisOptions;

/**
 * node:net's isIP, loaded when a TLS connection needs it: importing node:net pulls in Node's
 * whole networking stack, ~2 ms of every `import 'crystallize'` otherwise.
 */
function isIP(host: string): number {
  return (createRequire(import.meta.url)('node:net') as typeof Net).isIP(host);
}

/** The options BullMQ's connections are built from, and how to show them (no password). */
export interface ResolvedConnection {
  readonly options: RedisOptions;
  /** e.g. `redis://alice:***@host:6379/0` — safe for logs and messages. */
  readonly shown: string;
}

function parseUrl(text: string, tls: TlsOptions | undefined): ResolvedConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(
      `DistributedExecution: connection must be a redis:// or rediss:// URL, got ${JSON.stringify(redactRedisUrl(text))}`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RangeError(
      `DistributedExecution: connection must be a redis:// or rediss:// URL (rediss for TLS), got ${url.protocol}// in ${redactRedisUrl(text)}`,
    );
  }
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new RangeError(
      `DistributedExecution: the path of a Redis URL is a database number (redis://host:6379/0), got /${db} in ${redactRedisUrl(text)}`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host: host || 'localhost',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    // SNI takes a host name only (RFC 6066): none for an IP address.
    ...(url.protocol === 'rediss:' || tls
      ? { tls: { ...(isIP(host) ? {} : { servername: host }), ...tls } }
      : {}),
  };
  return { options, shown: redactRedisUrl(text) };
}

/** Turns what the user gave into connection options and a printable form without the password. */
export function resolveConnection(connection: RedisConnection): ResolvedConnection {
  if (typeof connection === 'string') return parseUrl(connection, undefined);
  if ('url' in connection && typeof connection.url === 'string') {
    return parseUrl(connection.url, connection.tls);
  }
  const o = connection as RedisOptions;
  const scheme = o.tls ? 'rediss' : 'redis';
  const user = o.username ? `${o.username}${o.password ? ':***' : ''}@` : o.password ? ':***@' : '';
  const where = o.path ?? `${o.host ?? 'localhost'}:${o.port ?? 6379}`;
  return { options: { ...o }, shown: `${scheme}://${user}${where}${o.db ? `/${o.db}` : ''}` };
}

/** A Redis URL with its password replaced by `***` (also for text that is not a valid URL). */
export function redactRedisUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString().replace('%2A%2A%2A', '***');
  } catch {
    return text.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}
