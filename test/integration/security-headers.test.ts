// Helmet's security headers on every answer of every web scope (issue 12 moved them from
// @fastify/helmet's per-request middleware to headers built once): the portal's landing page
// and its other pages, a portal form refused, the console, the API, a page that does not exist
// and the health check each carry them, with the values helmet sets (written out here, so the
// test does not ask the code under test what to expect).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { createStore } from '../../src/store/index.js';

const HELMET = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

let server: TestRedis;
let app: FastifyInstance;

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url, { PUBLIC_URL: 'http://portal.school.test' });
  const store = createStore(server.client());
  await store.schools.add({ id: 'sch-s', name: 'School S' }, 'test');
  await store.nas.add('127.0.0.1', { secret: 'headers-secret-1', vendor: 'chilli', school: 'sch-s', nasId: 'ch-s', rejectDelayMs: 0 }, 'test');
  await waitFor(async () => app.nasDirectory.byNasId('ch-s'), 2000, 'the NAS');
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

describe("helmet's headers", () => {
  it.each([
    ['the landing page', { url: '/?res=notyet&uamip=127.0.0.1&uamport=3990&mac=00-1B-63-00-00-01&ip=10.0.0.9&nasid=ch-s' }, 200],
    ['a portal message page', { url: '/' }, 200],
    ['a portal form from another site', { method: 'POST' as const, url: '/login', headers: { 'sec-fetch-site': 'cross-site' } }, 403],
    ['a page that does not exist', { url: '/no-such-page' }, 404],
    ['the console', { url: '/console/login' }, 200],
    ['the API', { url: '/api/v1/schools' }, 401],
    ['the health check', { url: '/healthz' }, 200],
  ])('are on %s', async (_what, request, status) => {
    const response = await app.inject(request);
    expect(response.statusCode).toBe(status);
    expect(response.headers).toMatchObject(HELMET);
    // Plain HTTP here: HSTS only with an https PUBLIC_URL (test/integration/https.test.ts).
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });
});
