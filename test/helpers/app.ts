// The real app, built by the same buildApp() `npm start` uses, on ports chosen by the kernel.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { targetFromUrl } from '../../src/redis/connection.js';

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
