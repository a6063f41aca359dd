import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { targetFromUrl } from '../../src/redis/connection.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const MAC = 'AA-BB-CC-11-22-33';
const PORTAL_URL = `/?res=notyet&uamip=10.0.0.1&uamport=3990&mac=${MAC}&ip=10.1.0.5&nasid=ap-1&userurl=http%3A%2F%2Fexample.org%2F`;
let server: TestRedis;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await server.close();
});

/** The real app logging into an array, at the given level. */
async function appLoggingAt(level: 'info' | 'debug'): Promise<{ app: FastifyInstance; lines: () => Record<string, unknown>[] }> {
  const written: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { written.push(chunk.toString()); done(); } });
  const config = loadConfig({ REDIS_URL: server.url, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0', LOG_LEVEL: level });
  const app = await buildApp({ config, logger: createLogger(level, sink), redis: targetFromUrl(server.url) });
  await app.ready();
  apps.push(app);
  return { app, lines: () => written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('HTTP request lines', () => {
  it('stay out of the info log, so client MACs in portal URLs are not logged', async () => {
    const { app, lines } = await appLoggingAt('info');
    expect((await app.inject(PORTAL_URL)).statusCode).toBeLessThan(500);
    await app.inject(`/no-such-page?mac=${MAC}`);
    const text = JSON.stringify(lines());
    expect(text).not.toContain(MAC);
    expect(text).not.toMatch(/incoming request|request completed/);
  });

  it('are one debug line per request: method, URL, status and time', async () => {
    const { app, lines } = await appLoggingAt('debug');
    await app.inject(`/no-such-page?mac=${MAC}`);
    const requests = lines().filter((line) => line.msg === 'request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ level: 20, method: 'GET', url: `/no-such-page?mac=${MAC}`, statusCode: 404 });
    expect(requests[0]!.ms).toEqual(expect.any(Number));
  });
});
