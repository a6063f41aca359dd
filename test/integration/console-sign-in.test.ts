import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { keys } from '../../src/store/keys.js';
import { buildTestApp } from '../helpers/app.js';
import { ConsoleBrowser, startConsoleApp } from '../helpers/console.js';
import type { TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let redis: Redis;
let store: Store;

beforeAll(async () => {
  ({ server, app, redis, store } = await startConsoleApp());
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

describe('console sign-in', () => {
  it('shows the English labels and signs a school admin in and out, each step logged in the audit', async () => {
    const browser = new ConsoleBrowser(app);
    const form = await browser.get('/console/login');
    expect(form.statusCode).toBe(200);
    expect(form.body).toMatch(/<label for="username">Username<\/label>/);
    expect(form.body).toMatch(/<label for="password">Password<\/label>/);
    expect(form.body).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(form.body).toContain('<html lang="en">');
    const session = form.cookies.find((cookie) => cookie.name === 'mk_console_csrf');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });

    const signedIn = await browser.post('/console/login', { username: 'dana', password: 'dana-password-1' });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/console/');
    const cookie = signedIn.cookies.find((candidate) => candidate.name === 'mk_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookie?.maxAge).toBeUndefined();
    const home = await browser.get('/console/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('School One');
    expect(home.headers['content-security-policy']).toMatch(/default-src 'none'.*style-src 'self'/);

    const out = await browser.post('/console/logout', {});
    expect(out.headers.location).toBe('/console/login?out=1');
    expect((await browser.get('/console/')).statusCode).toBe(303);
    const actions = (await store.audit.recent(5)).map((entry) => [entry.action, entry.source]);
    expect(actions).toEqual(expect.arrayContaining([['console.sign-in', '10.9.0.1'], ['console.sign-out', '10.9.0.1']]));
  });

  it('refuses a wrong password with the form again, and counts it', async () => {
    const browser = new ConsoleBrowser(app, '10.9.0.2', 'ru');
    const refused = await browser.signIn('dana', 'not-her-password');
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('Неверный логин или пароль');
    expect(refused.cookies.find((cookie) => cookie.name === 'mk_console')).toBeUndefined();
    const [entry] = await store.audit.recent(1);
    expect(entry).toMatchObject({ action: 'console.sign-in-refused', target: 'dana', source: '10.9.0.2', detail: { reason: 'wrong-password' } });
  });

  it('does not let a Wi-Fi user sign in to the console', async () => {
    await store.roles.add('student', 'test').catch(() => undefined);
    await store.users.add({ username: 'aliya', password: 'aliya-password', role: 'student', school: 'sch-1' }, 'test');
    const refused = await new ConsoleBrowser(app).signIn('aliya', 'aliya-password');
    expect(refused.statusCode).toBe(401);
  });

  it('locks a username after 10 wrong passwords, even with the right one after', async () => {
    const browser = new ConsoleBrowser(app, '10.9.0.3');
    for (let i = 0; i < 10; i++) expect((await browser.signIn('dana', `wrong-${i}-password`)).statusCode).toBe(401);
    const locked = await browser.signIn('dana', 'dana-password-1');
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('Too many wrong attempts for this username');
    // The portal's lockout is another matter: a Wi-Fi user of the same name is not locked.
    expect(await redis.exists(keys.loginLock('user', 'dana'))).toBe(0);
  }, 60_000);

  it('marks its cookies Secure when PUBLIC_URL is https', async () => {
    const behindProxy = await buildTestApp(server.url, { PUBLIC_URL: 'https://wifi.school.kz' });
    try {
      const browser = new ConsoleBrowser(behindProxy);
      const form = await browser.get('/console/login');
      expect(form.cookies.find((cookie) => cookie.name === 'mk_console_csrf')?.secure).toBe(true);
      const signedIn = await browser.post('/console/login', { username: 'dana', password: 'dana-password-1' });
      expect(signedIn.cookies.find((cookie) => cookie.name === 'mk_console')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    } finally {
      await behindProxy.close();
    }
  });
});
