// The embedded Redis used when REDIS_URL is unset: a child redis-server with append-only
// persistence in DATA_DIR/redis, reachable only through a unix socket there (no TCP port).
// The caller must hold the DATA_DIR lock.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RedisUnavailableError } from '../errors.js';

// sockaddr_un.sun_path is 108 bytes on Linux, including the terminating NUL.
const MAX_SOCKET_PATH = 107;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

export interface EmbeddedRedis {
  socketPath: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /**
   * 'everysec' (the default): a write is on disk within a second, so a power cut or a killed
   * redis-server can lose the last second of acknowledged writes; 'always': fsync before every
   * acknowledgement, nothing acknowledged is lost, at the cost of one disk sync per write.
   */
  appendfsync?: 'everysec' | 'always';
  /** Start from DATA_DIR/redis/dump.rdb without persistence (a restore's private copy). */
  loadRdb?: boolean;
}

export function embeddedSocketPath(dataDir: string): string {
  return join(dataDir, 'redis', 'redis.sock');
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function pingSocket(socketPath: string): Promise<boolean> {
  const client = new Redis({ path: socketPath, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A redis-server left running by a Mektep that was killed (SIGKILL gives no chance to stop it). */
async function stopOrphan(dir: string, socketPath: string): Promise<void> {
  const pidFile = join(dir, 'redis.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !(await pingSocket(socketPath))) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < STOP_TIMEOUT_MS && (await pingSocket(socketPath)); waited += 100) await sleep(100);
}

export async function startEmbeddedRedis(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedRedis> {
  if (spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0) {
    throw new RedisUnavailableError('redis-server not found: install the Debian package redis-server (apt-get install redis-server), or set REDIS_URL');
  }
  const dir = join(dataDir, 'redis');
  const socketPath = embeddedSocketPath(dataDir);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new RedisUnavailableError(`DATA_DIR is too long for a unix socket (${socketPath}): use a shorter path`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await stopOrphan(dir, socketPath);

  const child = spawn('redis-server', [
    '--port', '0',
    '--unixsocket', socketPath,
    '--unixsocketperm', '700',
    '--dir', dir,
    '--pidfile', join(dir, 'redis.pid'),
    '--logfile', join(dir, 'redis.log'),
    '--appendonly', options.loadRdb ? 'no' : 'yes',
    '--appendfsync', options.appendfsync ?? 'everysec',
    // A live session's hash holds the JSON list of its index names (~100–200 B): at the default
    // 64 B limit one such value turns the whole hash into a hash table, 1.8 KB instead of ~0.85.
    '--hash-max-listpack-value', '256',
    // A school's and an AP's session sets (~170 members in a region's morning) stay listpacks:
    // ~86 B less per member, ~2 µs more per re-index and ~5 µs per Start or Stop (docs/scale.md).
    '--zset-max-listpack-entries', '256',
    '--save', '',
    '--daemonize', 'no',
  ], { stdio: 'ignore' });
  const done = exited(child);

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await pingSocket(socketPath))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RedisUnavailableError(`embedded redis-server did not start (see ${join(dir, 'redis.log')})`);
    }
    await sleep(50);
  }

  return {
    socketPath,
    async stop() {
      if (child.exitCode !== null) return;
      // SIGTERM makes Redis flush the append-only file and remove its socket before exiting.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await done;
      clearTimeout(timer);
    },
  };
}
