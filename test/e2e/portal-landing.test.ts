// The cached landing page and token-free CSRF in real Chromium, on a phone-sized screen, with the
// portal under a plain-HTTP name as schools run it (not 127.0.0.1, where Chromium would add
// Sec-Fetch-Site): the login form from a CoovaChilli redirect goes through after a language
// switch (the context rides in the cookie alone), and the same form posted by another site is
// refused with the translated page.
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import { buildTestApp } from '../helpers/app.js';
import { freePort, waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { startTestAp, type TestAp } from '../helpers/test-ap.js';

const SECRET = 'portal-landing-1';
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let browser: Browser;
let portalUrl: string;
let evil: Server;
let evilUrl: string;
const aps: TestAp[] = [];

beforeAll(async () => {
  server = await startTestRedis();
  const port = await freePort();
  portalUrl = `http://portal.school.test:${port}`;
  app = await buildTestApp(server.url, { PUBLIC_URL: portalUrl });
  await app.listen({ host: '127.0.0.1', port });
  store = createStore(server.client());
  await store.schools.add({ id: 'sch-l', name: 'Landing school' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-l', nasId: 'landing-chilli', rejectDelayMs: 0 }, 'test');
  for (const name of ['aruzhan', 'timur']) await store.users.add({ username: name, password: `${name}-password`, role: 'student', school: 'sch-l' }, 'test');
  await waitFor(async () => app.nasDirectory.byNasId('landing-chilli'), 2000, 'the NAS client');
  // Another site, whose page posts the portal's login form as soon as it is opened.
  const evilPort = await freePort();
  evilUrl = `http://evil.test:${evilPort}/`;
  evil = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<form id="f" method="post" action="${portalUrl}/login"><input name="username" value="timur"><input name="password" value="timur-password"></form><script>document.getElementById('f').submit()</script>`);
  });
  await new Promise<void>((resolve) => evil.listen(evilPort, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP portal.school.test 127.0.0.1, MAP evil.test 127.0.0.1'],
  });
});
afterAll(async () => {
  await browser?.close();
  for (const ap of aps) await ap.close();
  evil?.close();
  await app?.close();
  await server.close();
});

async function ap(clientMac: string): Promise<TestAp> {
  const started = await startTestAp({ vendor: 'chilli', portalUrl, auth: app.radius.auth.port(), acct: app.radius.acct.port(), secret: SECRET, clientMac, nasId: 'landing-chilli', nasIp: '127.0.0.1' });
  aps.push(started);
  return started;
}

describe('the landing page in Chromium, over plain HTTP', () => {
  it('signs a phone in from a CoovaChilli redirect after switching language, the context kept by its cookie', async () => {
    const access = await ap('00-1B-63-BB-00-01');
    const context = await browser.newContext({ ...PHONE, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(access.url);
    await page.waitForURL((url) => url.href.startsWith(portalUrl));
    await page.getByRole('link', { name: 'Русский' }).click();
    await page.waitForURL(`${portalUrl}/?lang=ru`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Вход в школьный Wi-Fi');
    await page.getByLabel(/Логин/).fill('aruzhan');
    await page.getByLabel(/Пароль/).fill('aruzhan-password');
    await page.getByRole('button').click();
    await page.waitForURL(access.landing);
    expect(await store.sessions.list({ user: 'aruzhan' })).toHaveLength(1);
    await context.close();
  });

  it('refuses the login form posted by another site with the translated page, even with the device\'s context cookie', async () => {
    const access = await ap('00-1B-63-BB-00-02');
    const context = await browser.newContext({ ...PHONE, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(access.url);
    await page.waitForURL((url) => url.href.startsWith(portalUrl));
    expect((await context.cookies(portalUrl)).map((cookie) => cookie.name)).toContain('mk_ctx');
    const answer = page.waitForResponse(`${portalUrl}/login`);
    await page.goto(evilUrl);
    expect((await answer).status()).toBe(403);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Страница входа устарела. Откройте любую веб-страницу, чтобы начать заново.');
    expect(await store.sessions.list({ user: 'timur' })).toEqual([]);
    await context.close();
  });
});
