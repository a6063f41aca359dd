// A region's nightly sync imports thousands of users in one API request. RADIUS's connection
// bounds every Redis command (REDIS_COMMAND_TIMEOUT_MS, here its floor of 50 ms so the test
// does not depend on the machine's speed); the API's management connection does not, so the
// one script that writes 3,000 users at once is not cut off halfway through the request.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../src/services/index.js';
import { buildTestApp } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const USERS = 3000;
let server: TestRedis;
let app: FastifyInstance;
let token: string;

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url, { REDIS_COMMAND_TIMEOUT_MS: '50' });
  const root = { kind: 'root' as const, actor: 'cli:test' };
  const services = createServices({ store: app.managementStore, enforcer: app.services.enforcer, admit: app.services.admit });
  await services.schools.add(root, { id: 'sch-big', name: 'Big school' });
  await services.accounts.create(root, { username: 'sync', role: 'region-admin', password: 'sync-password' });
  token = (await services.tokens.create(root, { username: 'sync' })).token;
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

describe('POST /api/v1/users/import of 3,000 users', () => {
  it('imports every line in one request although RADIUS commands are bounded to 50 ms', async () => {
    const lines = Array.from({ length: USERS }, (_, i) => `pupil${i},Pupil ${i},student,sch-big,pass-word-${i}`);
    const reply = await app.inject({
      method: 'POST',
      url: '/api/v1/users/import',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      payload: `username,name,role,school,password\n${lines.join('\n')}\n`,
    });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json()).toMatchObject({ dryRun: false, created: USERS, errors: [] });
    expect(await server.client().scard('mk:users-of:sch-big')).toBe(USERS);
  }, 300_000);
});
