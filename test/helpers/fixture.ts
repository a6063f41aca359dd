// The usual setup of a test file: a real redis-server, the real app on kernel-chosen ports and
// a store over its own connection.
import type { FastifyInstance } from 'fastify';
import { createStore, type Store } from '../../src/store/index.js';
import { buildTestApp } from './app.js';
import { startTestRedis, type TestRedis } from './redis.js';

export interface AppFixture {
  server: TestRedis;
  app: FastifyInstance;
  store: Store;
  auth: number;
  acct: number;
  close(): Promise<void>;
}

export async function startAppFixture(env: Record<string, string> = {}): Promise<AppFixture> {
  const server = await startTestRedis();
  const app = await buildTestApp(server.url, env);
  return {
    server,
    app,
    store: createStore(server.client()),
    auth: app.radius.auth.port(),
    acct: app.radius.acct.port(),
    async close() {
      await app.close();
      await server.close();
    },
  };
}
