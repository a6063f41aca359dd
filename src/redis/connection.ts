// How the server and the CLI find Redis: REDIS_URL when set; otherwise the embedded instance in
// DATA_DIR, started here unless a running Mektep already serves it.
import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from '../errors.js';
import { acquireDataLock, readLock, type DataLock, type LockHolder } from './data-lock.js';
import { embeddedSocketPath, startEmbeddedRedis, type EmbeddedOptions, type EmbeddedRedis } from './embedded.js';
import { parseSentinelUrl, SENTINEL_SCHEME, sentinelLabel } from './sentinel-url.js';

export interface RedisTarget {
  /** Connection options for ioredis; callers add their own behaviour options. */
  options: RedisOptions;
  /** Human description for logs and errors (never contains a password). */
  label: string;
}

export interface RedisHandle {
  target: RedisTarget;
  embedded: boolean;
  /** Stops the embedded Redis (if this process started it) and releases DATA_DIR. */
  close(): Promise<void>;
}

/** A write on a replica that used to be the master: drop the connection and ask Sentinel again. */
function demoted(error: Error): boolean {
  return error.message.startsWith('READONLY');
}

function sentinelTarget(url: string): RedisTarget {
  const sentinel = parseSentinelUrl(url);
  const options: RedisOptions = {
    sentinels: sentinel.sentinels,
    name: sentinel.masterName,
    db: sentinel.db,
    // No failoverDetector: its sentinel subscriptions outlive quit() and keep a CLI run from
    // exiting (ioredis 5.9). A lost master drops the connection, and a demoted one answers
    // READONLY: either way the client asks the sentinels again.
    reconnectOnError: demoted,
  };
  if (sentinel.username) options.username = sentinel.username;
  if (sentinel.password) options.password = sentinel.password;
  if (sentinel.sentinelPassword) options.sentinelPassword = sentinel.sentinelPassword;
  return { options, label: sentinelLabel(sentinel) };
}

export function targetFromUrl(url: string): RedisTarget {
  if (url.startsWith(SENTINEL_SCHEME)) return sentinelTarget(url);
  const parsed = new URL(url);
  if (parsed.protocol === 'unix:') {
    const db = Number(parsed.searchParams.get('db') ?? 0);
    return { options: { path: decodeURIComponent(parsed.pathname), db }, label: `unix:${parsed.pathname}` };
  }
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    db: Number(parsed.pathname.slice(1) || 0),
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') options.tls = { servername: parsed.hostname };
  return { options, label: `${parsed.protocol}//${parsed.host}` };
}

function socketTarget(socketPath: string): RedisTarget {
  return { options: { path: socketPath }, label: `embedded (${socketPath})` };
}

/**
 * Resolves Redis for a process. The server always owns DATA_DIR when embedded; the CLI borrows
 * the socket of a running server, or starts the embedded Redis for the length of its command.
 */
export async function openRedis(redisUrl: string | undefined, dataDir: string, holder: LockHolder, embedded: EmbeddedOptions = {}): Promise<RedisHandle> {
  if (redisUrl) return { target: targetFromUrl(redisUrl), embedded: false, close: () => Promise.resolve() };

  const owner = readLock(dataDir);
  if (holder === 'cli' && owner?.holder === 'server') {
    return { target: socketTarget(embeddedSocketPath(dataDir)), embedded: true, close: () => Promise.resolve() };
  }
  const lock: DataLock = acquireDataLock(dataDir, holder);
  let redis: EmbeddedRedis;
  try {
    redis = await startEmbeddedRedis(dataDir, embedded);
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    target: socketTarget(redis.socketPath),
    embedded: true,
    async close() {
      await redis.stop();
      lock.release();
    },
  };
}

/** A connected client; fails fast with a clear error when Redis cannot be reached. */
export async function connectRedis(target: RedisTarget, extra: RedisOptions = {}): Promise<Redis> {
  const client = new Redis({ ...target.options, lazyConnect: true, ...extra });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new RedisUnavailableError(`cannot reach Redis at ${target.label}: ${(error as Error).message}`);
  }
  return client;
}

/**
 * Names a failed Redis command for the drop counters: 'redis-timeout' when it outlived
 * `commandTimeout` (a stalled server), 'redis-unavailable' when it could not be sent at all.
 */
export function redisFailure(error: unknown): 'redis-timeout' | 'redis-unavailable' | undefined {
  const message = error instanceof Error ? error.message : '';
  if (message === 'Command timed out') return 'redis-timeout';
  if (/enableOfflineQueue|Connection is closed|max retries per request/i.test(message)) return 'redis-unavailable';
  return undefined;
}
