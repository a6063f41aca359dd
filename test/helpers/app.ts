// The real app, built by the same buildApp() `npm start` uses, on ports chosen by the kernel.
import type { FastifyInstance } from 'fastify';
import { createStore, type Store } from '../../src/store/index.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { targetFromUrl } from '../../src/redis/connection.js';
import { freePort } from './ports.js';
import { startTestRedis, type TestRedis } from './redis.js';

export async function buildTestApp(redisUrl: string, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = loadConfig({
    REDIS_URL: redisUrl,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    RADIUS_HOST: '127.0.0.1',
    RADIUS_AUTH_PORT: '0',
    RADIUS_ACCT_PORT: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp({ config, logger: createLogger(config.logLevel), redis: targetFromUrl(redisUrl) });
  await app.ready();
  return app;
}

/** The app over its own redis-server, listening on 127.0.0.1 with PUBLIC_URL its own address, for
 * a browser or an HTTP client; a store on that Redis for set-up. */
export async function startListeningApp(env: Record<string, string> = {}): Promise<{ server: TestRedis; app: FastifyInstance; store: Store; base: string }> {
  const server = await startTestRedis();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = await buildTestApp(server.url, { PUBLIC_URL: base, ...env });
  await app.listen({ host: '127.0.0.1', port });
  return { server, app, store: createStore(server.client()), base };
}
