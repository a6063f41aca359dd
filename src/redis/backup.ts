// `mektep backup` / `mektep restore`. A backup is a standard Redis RDB file taken with
// `redis-cli --rdb`: Redis forks and streams a point-in-time snapshot, so it is consistent across
// every key while Mektep keeps writing, and works the same for the embedded Redis, an external
// one and the master behind Sentinel (the file is readable by any Redis tool). A restore starts a
// private redis-server on a copy of the file and moves Mektep's keys (mk:*) into the target with
// DUMP/RESTORE, their expiries kept.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from '../errors.js';
import type { RedisTarget } from './connection.js';
import { startEmbeddedRedis } from './embedded.js';

const PREFIX_PATTERN = 'mk:*';
const PAGE = 500;

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new RedisUnavailableError(`redis-cli --rdb failed: ${output.trim()}`))));
  });
}

/** Where the data node is now: Sentinel is asked for its master. */
async function nodeOf(options: RedisOptions): Promise<RedisOptions> {
  if (!options.sentinels) return options;
  for (const sentinel of options.sentinels) {
    const client = new Redis({ host: sentinel.host, port: sentinel.port, password: options.sentinelPassword, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      const [host, port] = (await client.call('SENTINEL', 'get-master-addr-by-name', options.name!)) as [string, string];
      return { ...options, host, port: Number(port) };
    } catch {
      continue;
    } finally {
      client.disconnect();
    }
  }
  throw new RedisUnavailableError('no sentinel named the master');
}

/** Writes a consistent snapshot of the Redis at `target` to `file`. */
export async function backup(target: RedisTarget, file: string): Promise<void> {
  const node = await nodeOf(target.options);
  const args = node.path ? ['-s', node.path] : ['-h', node.host ?? '127.0.0.1', '-p', String(node.port ?? 6379)];
  if (node.username) args.push('--user', node.username);
  if (node.tls) args.push('--tls');
  // The password through the environment, never on a command line others can read.
  const env = { PATH: process.env.PATH ?? '', ...(node.password ? { REDISCLI_AUTH: node.password } : {}) };
  await run('redis-cli', [...args, '--rdb', file], env);
}

async function* keysOf(redis: Redis): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', PREFIX_PATTERN, 'COUNT', PAGE);
    cursor = next;
    if (found.length) yield found;
  } while (cursor !== '0');
}

/** Mektep keys in the target now (a restore into live data needs `replace`). */
export async function countKeys(redis: Redis): Promise<number> {
  let count = 0;
  for await (const found of keysOf(redis)) count += found.length;
  return count;
}

/**
 * Replaces every Mektep key of `redis` (its selected database) by those of the RDB `file`.
 * Returns how many keys were restored.
 */
export async function restore(file: string, redis: Redis, db = 0): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-restore-'));
  mkdirSync(join(dir, 'redis'));
  copyFileSync(file, join(dir, 'redis', 'dump.rdb'));
  // A private redis-server reads the snapshot; the target's own persistence records the RESTOREs.
  const source = await startEmbeddedRedis(dir, { loadRdb: true });
  const reader = new Redis({ path: source.socketPath, db });
  try {
    for await (const found of keysOf(redis)) await redis.unlink(...found);
    let restored = 0;
    for await (const found of keysOf(reader)) {
      const read = reader.pipeline();
      for (const key of found) read.dumpBuffer(key).pttl(key);
      const values = (await read.exec()) ?? [];
      const write = redis.pipeline();
      for (const [index, key] of found.entries()) {
        const dump = values[index * 2]?.[1] as Buffer | null;
        const ttl = Number(values[index * 2 + 1]?.[1]);
        if (dump && ttl !== -2) write.restore(key, ttl > 0 ? ttl : 0, dump, 'REPLACE');
      }
      for (const [error] of (await write.exec()) ?? []) if (error) throw error;
      restored += found.length;
    }
    return restored;
  } finally {
    reader.disconnect();
    await source.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
