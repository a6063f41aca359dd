// A region's nightly sync imports users in one API request. RADIUS's connection bounds every
// Redis command (REDIS_COMMAND_TIMEOUT_MS, here its floor of 50 ms) so that a stalled Redis
// never produces late answers; the API's management connection does not, so a Redis that
// keeps stalling (paused with SIGSTOP 300 ms at a time, running 5 ms in between, for the whole
// test) delays each import but does not cut it off halfway. Over the RADIUS connection the
// imports fail with a 500: each one's write lands in a pause (a chance of about 1 in 5 to slip
// through per import; three imports make a wrongly wired connection all but certain to fail).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../src/services/index.js';
import { buildTestApp } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const BATCHES = 3;
const USERS = 60;
const PAUSE_MS = 300;
const RUN_MS = 5;
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

describe('POST /api/v1/users/import while Redis keeps stalling', () => {
  it('imports every line although RADIUS commands are bounded to 50 ms', async () => {
    const client = server.client();
    const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))![1]);
    let pulsing = true;
    const pulse = (async () => {
      while (pulsing) {
        process.kill(pid, 'SIGSTOP');
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        process.kill(pid, 'SIGCONT');
        await new Promise((resolve) => setTimeout(resolve, RUN_MS));
      }
    })();
    try {
      for (let batch = 0; batch < BATCHES; batch++) {
        const lines = Array.from({ length: USERS }, (_, i) => `pupil${batch}-${i},Pupil ${i},student,sch-big,pass-word-${i}`);
        const reply = await app.inject({
          method: 'POST',
          url: '/api/v1/users/import',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
          payload: `username,name,role,school,password\n${lines.join('\n')}\n`,
        });
        expect(reply.statusCode, reply.body).toBe(201);
        expect(reply.json()).toMatchObject({ dryRun: false, created: USERS, errors: [] });
      }
    } finally {
      pulsing = false;
      await pulse;
    }
    expect(await client.scard('mk:users-of:sch-big')).toBe(BATCHES * USERS);
  });
});
