// A real redis-server for a test file: the same child process the embedded mode starts, in a
// temporary folder, on a unix socket (no port that could collide with anything).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded.js';
import { createStore, type Store } from '../../src/store/index.js';

export interface TestRedis {
  url: string;
  dir: string;
  client(): Redis;
  /** Stops redis-server (it writes its append-only file first). */
  stop(): Promise<void>;
  /** Starts it again on the same files and socket. */
  start(): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-redis-'));
  let server: EmbeddedRedis | undefined = await startEmbeddedRedis(dir);
  const clients: Redis[] = [];
  const url = `unix://${server.socketPath}`;
  return {
    url,
    dir,
    client() {
      const client = new Redis({ path: server!.socketPath });
      // Tests stop redis-server on purpose; the client reconnects by itself.
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server = await startEmbeddedRedis(dir);
    },
    async flush() {
      const client = new Redis({ path: join(dir, 'redis', 'redis.sock') });
      await client.flushall();
      await client.quit();
    },
    async close() {
      for (const client of clients) client.disconnect();
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestStore {
  server: TestRedis;
  redis: Redis;
  store: Store;
}

/** A test redis-server, a client of it, and the store over that client. */
async function startTestStore(): Promise<TestStore> {
  const server = await startTestRedis();
  const redis = server.client();
  return { server, redis, store: createStore(redis) };
}

/**
 * For a test file: its own redis-server and the store over it, started before the file's tests
 * and stopped after them; the fields are there from the first test (and the file's later hooks) on.
 */
export function useTestStore(): TestStore {
  const held = {} as TestStore;
  beforeAll(async () => {
    Object.assign(held, await startTestStore());
  });
  afterAll(() => held.server?.close());
  return held;
}
