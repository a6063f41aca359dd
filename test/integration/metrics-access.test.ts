import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';
let server: TestRedis;
let loopbackOnly: FastifyInstance;
let campus: FastifyInstance;

beforeAll(async () => {
  server = await startTestRedis();
  loopbackOnly = await buildTestApp(server.url);
  campus = await buildTestApp(server.url, { METRICS_ALLOW: '10.20.0.0/16, 2001:db8::5', METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  await loopbackOnly?.close();
  await campus?.close();
  await server.close();
});

function get(app: FastifyInstance, url: string, remoteAddress: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, remoteAddress, headers });
}

describe('/metrics is served only to METRICS_ALLOW or with METRICS_TOKEN', () => {
  it('answers loopback by default, IPv4 and IPv6, also as a dual-stack socket shows IPv4', async () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const response = await get(loopbackOnly, '/metrics', address);
      expect(response.statusCode, address).toBe(200);
      expect(response.body).toContain('mektep_http_requests_total');
    }
  });

  it('answers anyone else exactly as it answers a page that does not exist', async () => {
    const cases: [string, Record<string, string>][] = [
      ['192.0.2.50', {}], ['10.20.1.1', { 'accept-language': 'ru' }], ['192.0.2.50', { 'x-forwarded-for': '127.0.0.1' }], ['192.0.2.50', { authorization: `Bearer ${TOKEN}` }],
    ];
    for (const [address, headers] of cases) {
      const missing = await get(loopbackOnly, '/no-such-page', address, headers);
      const refused = await get(loopbackOnly, '/metrics', address, headers);
      expect(refused.statusCode, address).toBe(404);
      expect(refused.headers['content-type']).toBe(missing.headers['content-type']);
      expect(refused.body.replace(/\/metrics/g, '/no-such-page')).toBe(missing.body);
      expect(refused.body).not.toContain('mektep_');
    }
  });

  it('answers the configured addresses and blocks, and the bearer token from anywhere', async () => {
    expect((await get(campus, '/metrics', '10.20.3.4')).statusCode).toBe(200);
    expect((await get(campus, '/metrics', '2001:db8::5')).statusCode).toBe(200);
    expect((await get(campus, '/metrics', '10.21.0.1')).statusCode).toBe(404);
    expect((await get(campus, '/metrics', '127.0.0.1')).statusCode).toBe(404);
    expect((await get(campus, '/metrics', '198.51.100.7', { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
    expect((await get(campus, '/metrics', '198.51.100.7', { authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(404);
    expect((await get(campus, '/metrics', '198.51.100.7', { authorization: TOKEN })).statusCode).toBe(404);
  });
});
