// Redis away for a moment (issue 13: a failover, a paused or restarted redis-server), against
// the real app and a real redis-server that the test pauses (SIGSTOP: commands time out) or
// stops (the connection closes): a portal sign-in is told in the person's language to try again
// in a moment (503 with Retry-After, one info line naming the cause), never the 500 page; the API
// says the same in JSON and the console as its page; and once Redis is back the next request is
// served by the same app, without a restart.
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { redisOutage } from '../../src/errors.js';
import { CATALOGUES } from '../../src/i18n/languages.js';
import { createLogger } from '../../src/logger.js';
import { targetFromUrl } from '../../src/redis/connection.js';
import { createServices } from '../../src/services/index.js';
import type { Principal } from '../../src/services/principal.js';
import { createStore } from '../../src/store/index.js';
import { ConsoleBrowser } from '../helpers/console.js';
import { waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const PUBLIC = 'http://portal.school.test';
const root: Principal = { kind: 'root', actor: 'test' };
let server: TestRedis;
let app: FastifyInstance;
let token: string;
const written: string[] = [];
const logLines = () => written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  server = await startTestRedis();
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { written.push(chunk.toString()); done(); } });
  const config = loadConfig({
    REDIS_URL: server.url, PUBLIC_URL: PUBLIC, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0',
    LOG_LEVEL: 'info', REDIS_COMMAND_TIMEOUT_MS: '300',
  });
  app = await buildApp({ config, logger: createLogger('info', sink), redis: targetFromUrl(server.url) });
  await app.ready();
  const store = createStore(server.client());
  await store.schools.add({ id: 'sch-o', name: 'School O' }, 'test');
  await store.nas.add('127.0.0.1', { secret: 'outage-secret-1', vendor: 'chilli', school: 'sch-o', nasId: 'ch-o', rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'olzhas', password: 'olzhas-password', role: 'student', school: 'sch-o' }, 'test');
  const services = createServices({ store: app.managementStore, enforcer: app.services.enforcer, admit: app.services.admit });
  await services.accounts.create(root, { username: 'region', role: 'region-admin', password: 'region-password' });
  token = (await services.tokens.create(root, { username: 'region' })).token;
  await waitFor(async () => app.nasDirectory.byNasId('ch-o'), 2000, 'the NAS');
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

let macs = 0;
const nextMac = () => `00-1B-63-00-00-${(++macs).toString(16).padStart(2, '0').toUpperCase()}`;

/** The login page as the AP's redirect opens it: its cookies (the signed context). */
async function loginForm(): Promise<string> {
  const page = await app.inject({ url: `/?res=notyet&uamip=127.0.0.1&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=${nextMac()}&ip=10.0.0.9&nasid=ch-o` });
  expect(page.statusCode).toBe(200);
  return page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

function postLogin(cookie: string): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST', url: '/login', remoteAddress: '10.0.0.9',
    headers: { cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ru' },
    payload: 'username=olzhas&password=olzhas-password',
  });
}

const api = (url: string) => app.inject({ url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });

async function redisPid(): Promise<number> {
  const info = await server.client().info('server');
  return Number(/process_id:(\d+)/.exec(info)?.[1]);
}

async function redisBack(): Promise<void> {
  await waitFor(async () => ((await app.redisAnswers()) && app.redisManagement.status === 'ready') || undefined, 10_000, 'the app reconnected');
}

/** The portal's "try again in a moment" page, in Russian, with its status and Retry-After. */
function expectBusyPage(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(503);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(response.headers['content-type']).toContain('text/html');
  expect(response.body).toContain(CATALOGUES.ru.errorUnavailable);
  expect(response.body).not.toContain(CATALOGUES.ru.errorInternal);
}

const unavailableLines = (message: string) => logLines().filter((line) => line.msg === message && line.level === 30);
/** What every HTTP scope's "Redis unavailable" line says alike (redis-server stopped: the connection closed). */
const outageLine = (method: string, url: string) => ({ reason: 'redis-unavailable', err: expect.any(String), method, url, reqId: expect.any(String) });

describe('a portal sign-in while Redis is away', () => {
  it('is told to try again in a moment when Redis is paused (commands time out), and signs in once it answers again', async () => {
    const cookie = await loginForm();
    const pid = await redisPid();
    const before = unavailableLines('portal: Redis unavailable, try again').length;
    process.kill(pid, 'SIGSTOP');
    let paused: LightMyRequestResponse;
    try {
      paused = await postLogin(cookie);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expectBusyPage(paused);
    const lines = unavailableLines('portal: Redis unavailable, try again');
    expect(lines.length).toBe(before + 1);
    // Written through the request's own logger: its id bound.
    expect(lines.at(-1)).toMatchObject({ reason: 'redis-timeout', reqId: expect.any(String) });
    await redisBack();
    const again = await postLogin(await loginForm());
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('id="release"');
  });

  it('is told to try again in a moment when redis-server is gone (connection closed), and signs in after it restarts', async () => {
    const cookie = await loginForm();
    await server.stop();
    let stopped: LightMyRequestResponse;
    try {
      stopped = await postLogin(cookie);
    } finally {
      await server.start();
    }
    expectBusyPage(stopped);
    expect(unavailableLines('portal: Redis unavailable, try again').at(-1)).toMatchObject({ ...outageLine('POST', '/login'), client: '10.0.0.9' });
    await redisBack();
    const again = await postLogin(cookie);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('id="release"');
  });
});

describe('the API and the console while Redis is away', () => {
  it('the API answers 503 MK_ERR_UNAVAILABLE with Retry-After, then serves again', async () => {
    expect((await api('/schools')).statusCode).toBe(200);
    await server.stop();
    let stopped: LightMyRequestResponse;
    try {
      stopped = await api('/schools');
    } finally {
      await server.start();
    }
    expect(stopped.statusCode).toBe(503);
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(0);
    expect(stopped.json()).toMatchObject({ error: { code: 'MK_ERR_UNAVAILABLE' } });
    expect(stopped.json<{ error: { message: string } }>().error.message).toMatch(/try again/);
    expect(unavailableLines('api: Redis unavailable, try again').at(-1)).toMatchObject({ ...outageLine('GET', '/api/v1/schools'), route: '/api/v1/schools' });
    await redisBack();
    expect((await api('/schools')).statusCode).toBe(200);
  });

  it('the console shows its translated 503 page with Retry-After, then serves again', async () => {
    const browser = new ConsoleBrowser(app, '10.9.0.1', 'kk');
    expect((await browser.signIn('region', 'region-password')).statusCode).toBe(303);
    expect((await browser.get('/console/')).statusCode).toBe(200);
    await server.stop();
    let stopped: LightMyRequestResponse;
    try {
      stopped = await browser.get('/console/');
    } finally {
      await server.start();
    }
    expect(stopped.statusCode).toBe(503);
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(0);
    expect(stopped.body).toContain(CATALOGUES.kk.errorUnavailable);
    expect(unavailableLines('console: Redis unavailable, try again').at(-1)).toMatchObject(outageLine('GET', '/console/'));
    await redisBack();
    expect((await browser.get('/console/')).statusCode).toBe(200);
  });
});

describe("Redis's own \"not now\" replies", () => {
  // Each reply as redis-server sends it (an error reply from a script), so ioredis parses it as it would a real one.
  it.each([
    ['READONLY You can\'t write against a read only replica.', 'redis-readonly'],
    ['LOADING Redis is loading the dataset in memory', 'redis-loading'],
    ['MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to \'no\'.', 'redis-masterdown'],
    ['CLUSTERDOWN The cluster is down', 'redis-clusterdown'],
    ['ERR wrong number of arguments', undefined],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', undefined],
  ])('%s → %s', async (reply, reason) => {
    const error = await server.client().eval('return redis.error_reply(ARGV[1])', 0, reply).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(redisOutage(error)).toBe(reason);
  });
});
