// Crafted portal links in real Chromium, with the test access points (issue 8, items 6 and 7).
// An attacker takes a genuine link from an AP and changes it: the login URL to their own
// address, or the MAC to their own device's. The victim who opens it must neither have their
// credential posted to the attacker nor get the attacker's device remembered; and a genuine
// "remember this device" must wait for the AP's own Access-Request.
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store } from '../../src/store/index.js';
import { startListeningApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/process.js';
import { type TestRedis } from '../helpers/redis.js';
import { startTestAp, type TestAp } from '../helpers/test-ap.js';

const SECRET = 'hijack-secret-1';
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let browser: Browser;
let portalUrl: string;
let attacker: Server;
let attackerUrl: string;
const stolen: string[] = [];
const aps: TestAp[] = [];

beforeAll(async () => {
  ({ server, app, store, base: portalUrl } = await startListeningApp());
  await store.schools.add({ id: 'sch-j', name: 'School J' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-j', nasId: 'hj-chilli', uamSecret: 'uam-secret-j', rejectDelayMs: 0 }, 'test');
  await store.nas.add('127.0.0.2', { secret: SECRET, vendor: 'mikrotik', school: 'sch-j', nasId: 'hj-mikrotik', rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'victim', password: 'victim-password', role: 'teacher', school: 'sch-j' }, 'test');
  await waitFor(async () => app.nasDirectory.byNasId('hj-mikrotik'), 2000, 'the NAS clients');
  // The attacker's own web server, on an address no NAS has.
  attacker = createServer((request, response) => {
    stolen.push(request.url ?? '');
    response.end('thanks');
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.3', () => resolve()));
  attackerUrl = `http://127.0.0.3:${(attacker.address() as { port: number }).port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const ap of aps) await ap.close();
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  await app?.close();
  await server.close();
});

async function ap(vendor: 'chilli' | 'mikrotik', clientMac: string): Promise<TestAp> {
  const started = await startTestAp({
    vendor, portalUrl, auth: app.radius.auth.port(), acct: app.radius.acct.port(), secret: SECRET, clientMac,
    nasId: `hj-${vendor}`, nasIp: vendor === 'chilli' ? '127.0.0.1' : '127.0.0.2', ...(vendor === 'chilli' ? { uamSecret: 'uam-secret-j' } : {}),
  });
  aps.push(started);
  return started;
}

/** The link the attacker starts from: what the AP sends any new device to. */
async function genuineLink(access: TestAp): Promise<URL> {
  const page = await browser.newPage();
  await page.goto(access.url);
  await page.waitForURL((url) => url.href.startsWith(portalUrl));
  const link = new URL(page.url());
  await page.close();
  return link;
}

async function signIn(page: Page, remember: boolean): Promise<void> {
  await page.getByLabel(/Username|Логин/).fill('victim');
  await page.getByLabel(/Password|Пароль|Құпиясөз/).fill('victim-password');
  if (remember) await page.getByRole('checkbox').check();
  await page.getByRole('button').click();
}

describe('a link that points the release at the attacker (item 6)', () => {
  it('gets a translated refusal instead of a login form, and the attacker receives nothing', async () => {
    const link = await genuineLink(await ap('mikrotik', '00:1B:63:BB:00:01'));
    link.searchParams.set('link-login-only', `${attackerUrl}/login`);
    const page = await browser.newPage({ locale: 'ru-RU' });
    await page.goto(link.href);
    await expect(page.getByRole('alert').textContent({ timeout: 5000 })).resolves.toContain('Эта ссылка для входа пришла не от школьного Wi-Fi');
    expect(await page.getByLabel(/Пароль/).count()).toBe(0);
    expect(stolen).toEqual([]);
    await page.close();
  });
});

describe('a link carrying the attacker\'s MAC (item 7)', () => {
  it('remembers nothing: the real AP presents the token from the victim\'s MAC, so it is refused', async () => {
    const victimMac = '00:1B:63:BB:00:02';
    const attackerMac = '00:1b:63:bb:00:66';
    const access = await ap('mikrotik', victimMac);
    const link = await genuineLink(access);
    link.searchParams.set('mac', attackerMac);
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(link.href);
    const answered = page.waitForResponse((response) => response.url().startsWith(new URL(access.url).origin) && response.request().method() === 'POST');
    await signIn(page, true);
    expect((await answered).status()).toBe(302);
    expect(await store.devices.get(attackerMac)).toBeUndefined();
    expect(await store.devices.get(victimMac.toLowerCase())).toBeUndefined();
    expect(await store.sessions.list({ user: 'victim' })).toEqual([]);
    await page.close();
  });
});

describe('a genuine "remember this device" (item 7)', () => {
  it('is applied only after the AP\'s Access-Request with the right Calling-Station-Id', async () => {
    const mac = '00:1b:63:bb:00:03';
    const access = await ap('chilli', mac);
    const page = await browser.newPage({ locale: 'en-US' });
    let rememberedBeforeTheAp: unknown = 'not asked';
    // Hold the release on its way to the AP: the portal alone must not have remembered anything.
    await page.route((url) => url.pathname === '/logon' && url.href.startsWith(new URL(access.url).origin), async (route) => {
      rememberedBeforeTheAp = await store.devices.get(mac);
      await route.continue();
    });
    await page.goto(access.url);
    await page.waitForURL((url) => url.href.startsWith(portalUrl));
    await signIn(page, true);
    await page.waitForURL(access.landing);
    expect(rememberedBeforeTheAp).toBeUndefined();
    await expect(waitFor(() => store.devices.get(mac), 2000, 'the remembered device')).resolves.toMatchObject({ role: 'teacher', user: 'victim', registeredBy: 'portal' });
    expect(await access.macAuth()).toBe(2);
    await page.close();
  });
});
