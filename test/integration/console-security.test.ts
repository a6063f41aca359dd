import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIGN_IN_PER_MINUTE } from '../../src/console/routes/sign-in.js';
import { SESSION_COOKIE } from '../../src/console/session.js';
import { createStore, type Store } from '../../src/store/index.js';
import { keys } from '../../src/store/keys.js';
import { buildTestApp } from '../helpers/app.js';
import { ConsoleBrowser } from '../helpers/console.js';
import { waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let redis: Redis;
let store: Store;

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url, { PUBLIC_URL: 'http://wifi.school.kz' });
  redis = server.client();
  store = createStore(redis);
});
afterAll(async () => {
  await app?.close();
  await server.close();
});
beforeEach(async () => {
  await redis.flushall();
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
});

async function sessionId(browser: ConsoleBrowser): Promise<string> {
  const unsigned = app.unsignCookie(browser.cookies.get(SESSION_COOKIE)!);
  return unsigned.value!;
}

describe('CSRF over the whole console scope', () => {
  it('refuses a form without its token, or with another session\'s, with a translated 403 page', async () => {
    const dana = new ConsoleBrowser(app, '10.9.2.1', 'kk');
    await dana.signIn('dana', 'dana-password-1');
    await dana.get('/console/accounts');
    const stolen = dana.csrf;
    const missing = await dana.post('/console/accounts', { _csrf: '', username: 'x1', password: 'x1-password-1', role: 'teacher' });
    expect(missing.statusCode).toBe(403);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
    expect(missing.body).toContain('<html lang="kk">');
    expect(missing.body).toContain('Бұл форма ескірді');
    expect(missing.body).not.toMatch(/ at .*\.ts:\d+/);

    // The same person's token from an earlier session is worth nothing in this one.
    await dana.post('/console/logout', {});
    await dana.signIn('dana', 'dana-password-1');
    const replayed = await dana.post('/console/accounts', { _csrf: stolen, username: 'x2', password: 'x2-password-1', role: 'teacher' });
    expect(replayed.statusCode).toBe(403);
    expect(await store.accounts.get('x2')).toBeUndefined();
  });

  it('refuses a form posted from another site even with a valid token', async () => {
    const dana = new ConsoleBrowser(app, '10.9.2.2');
    await dana.signIn('dana', 'dana-password-1');
    await dana.get('/console/accounts');
    const fields = { username: 'x3', password: 'x3-password-1', role: 'teacher' };
    expect((await dana.post('/console/accounts', fields, { origin: 'http://evil.example' })).statusCode).toBe(403);
    expect((await dana.post('/console/accounts', fields, { 'sec-fetch-site': 'cross-site', origin: 'null' })).statusCode).toBe(403);
    expect((await dana.post('/console/accounts', fields, { referer: 'http://evil.example/page' })).statusCode).toBe(403);
    expect(await store.accounts.get('x3')).toBeUndefined();
    expect((await dana.post('/console/accounts', fields, { 'sec-fetch-site': 'same-origin', origin: 'null' })).statusCode).toBe(303);
  });

  it('checks sign-out and sign-in too (login CSRF)', async () => {
    const browser = new ConsoleBrowser(app, '10.9.2.3');
    await browser.get('/console/login');
    expect((await browser.post('/console/login', { _csrf: 'forged', username: 'dana', password: 'dana-password-1' })).statusCode).toBe(403);
  });
});

describe('error pages', () => {
  it('answers an unknown console page with a 404 page in the person\'s language', async () => {
    const page = await new ConsoleBrowser(app, '10.9.2.4', 'ru').get('/console/no-such-page');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Такой страницы нет.');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('answers an unknown portal page with the portal\'s 404 page, and leaves the API its JSON errors', async () => {
    const portal = await app.inject({ url: '/no-such-page', headers: { 'accept-language': 'kk' } });
    expect(portal.statusCode).toBe(404);
    expect(portal.body).toContain('Мұндай бет жоқ.');
    const api = await app.inject({ url: '/api/v1/no-such-route' });
    expect(api.headers['content-type']).toMatch(/^application\/json/);
    expect(api.json()).toHaveProperty('error.code');
  });
});

describe('session expiry', () => {
  it('ends a session idle for 30 minutes, and one begun 12 hours ago however busy', async () => {
    const dana = new ConsoleBrowser(app, '10.9.2.5');
    await dana.signIn('dana', 'dana-password-1');
    const id = await sessionId(dana);
    expect((await dana.get('/console/')).statusCode).toBe(200);
    const ttl = await redis.pttl(keys.consoleSession(id));
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);

    await redis.hset(keys.consoleSession(id), 'lastSeenAt', String(Date.now() - 31 * 60_000));
    const idle = await dana.get('/console/');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toContain('ended=1');
    expect(await redis.exists(keys.consoleSession(id))).toBe(0);

    await dana.signIn('dana', 'dana-password-1');
    const second = await sessionId(dana);
    await redis.hset(keys.consoleSession(second), 'createdAt', String(Date.now() - 12 * 3600_000 - 1000));
    expect((await dana.get('/console/')).statusCode).toBe(303);
  });
});

describe('rate limits held in Redis', () => {
  it('counts sign-in attempts from one address across two instances on one Redis', async () => {
    const other = await buildTestApp(server.url, { PUBLIC_URL: 'http://wifi.school.kz' });
    try {
      const browsers = [new ConsoleBrowser(app, '10.9.3.1'), new ConsoleBrowser(other, '10.9.3.1')];
      for (const browser of browsers) await browser.get('/console/login');
      const answers: number[] = [];
      for (let i = 0; i < SIGN_IN_PER_MINUTE; i++) answers.push((await browsers[i % 2]!.post('/console/login', { username: `nobody-${i}`, password: 'whatever-password' })).statusCode);
      expect(answers.every((status) => status === 401)).toBe(true);
      const limited = await browsers[0]!.post('/console/login', { username: 'dana', password: 'dana-password-1' });
      expect(limited.statusCode).toBe(429);
      expect(limited.body).toContain('Too many requests. Wait a minute and try again.');
      // Another address is not affected.
      expect((await new ConsoleBrowser(other, '10.9.3.2').signIn('dana', 'dana-password-1')).statusCode).toBe(303);
    } finally {
      await other.close();
    }
  }, 60_000);
});

describe('the portal\'s limit', () => {
  it('is counted in Redis too, under its own scope', async () => {
    await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.9.3.9', payload: 'username=x', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' } });
    const [, found] = await redis.scan('0', 'MATCH', `${keys.webRateLimit('portal')}*10.9.3.9`, 'COUNT', 1000);
    expect(found).toHaveLength(1);
    expect(Number(await redis.get(found[0]!))).toBe(1);
  });
});

describe('a failure', () => {
  it('is a translated 503 page (try again in a moment) without details while Redis is away, and the console recovers', async () => {
    const dana = new ConsoleBrowser(app, '10.9.4.1', 'ru');
    await dana.signIn('dana', 'dana-password-1');
    await server.stop();
    try {
      const failed = await dana.get('/console/');
      expect(failed.statusCode).toBe(503);
      expect(failed.headers['retry-after']).toBeDefined();
      expect(failed.body).toContain('Сеть на несколько секунд занята.');
      expect(failed.body).not.toMatch(/Redis|ECONNREFUSED|Error:| at /);
    } finally {
      await server.start();
    }
    const back = await waitFor(async () => {
      const page = await dana.get('/console/');
      return page.statusCode === 200 ? page : undefined;
    }, 10_000, 'the console to answer again');
    expect(back.body).toContain('School One');
  }, 30_000);
});
