// The captive portal in real headless Chromium, with test access points playing CoovaChilli and
// a MikroTik hotspot: redirect, login, release through the AP, RADIUS with the one-time token,
// landing on the page first asked for, a live session, and MAC authentication afterwards.
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store } from '../../src/store/index.js';
import { logoDataUri } from '../../src/store/schools.js';
import { startListeningApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/process.js';
import { type TestRedis } from '../helpers/redis.js';
import { startTestAp, type TestAp } from '../helpers/test-ap.js';

const SECRET = 'portal-secret-1';
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let browser: Browser;
let portalUrl: string;
const aps: TestAp[] = [];

beforeAll(async () => {
  ({ server, app, store, base: portalUrl } = await startListeningApp());
  await store.schools.add({ id: 'sch-p', name: 'Школа-гимназия №5', timezone: 'Asia/Almaty' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-p', nasId: 'test-chilli', uamSecret: 'uam-secret-9', rejectDelayMs: 0 }, 'test');
  await store.nas.add('127.0.0.2', { secret: SECRET, vendor: 'mikrotik', school: 'sch-p', nasId: 'test-mikrotik', rejectDelayMs: 0 }, 'test');
  await store.policies.set('student', undefined, { downRate: 5_000_000, upRate: 1_000_000, rememberFor: 7 * 86_400 }, [], 'test');
  for (const name of ['asel', 'bolat', 'dias']) await store.users.add({ username: name, password: `${name}-password`, role: 'student', school: 'sch-p' }, 'test');
  await waitFor(async () => app.nasDirectory.byNasId('test-mikrotik'), 2000, 'the NAS clients');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const ap of aps) await ap.close();
  await app?.close();
  await server.close();
});

async function ap(vendor: 'chilli' | 'mikrotik', clientMac: string): Promise<TestAp> {
  const started = await startTestAp({
    vendor, portalUrl, auth: app.radius.auth.port(), acct: app.radius.acct.port(), secret: SECRET, clientMac,
    nasId: `test-${vendor}`, nasIp: vendor === 'chilli' ? '127.0.0.1' : '127.0.0.2', ...(vendor === 'chilli' ? { uamSecret: 'uam-secret-9' } : {}),
  });
  aps.push(started);
  return started;
}

async function signIn(page: Page, username: string, password: string, remember = false): Promise<void> {
  await page.getByLabel(/Username|Логин/).fill(username);
  await page.getByLabel(/Password|Пароль|Құпиясөз/).fill(password);
  if (remember) await page.getByRole('checkbox').check();
  await page.getByRole('button').click();
}

describe.each(['chilli', 'mikrotik'] as const)('the portal behind %s', (vendor) => {
  const mac = vendor === 'chilli' ? '00-1B-63-AA-00-01' : '00:1B:63:AA:00:02';
  const user = vendor === 'chilli' ? 'asel' : 'bolat';

  it('takes a new device from the redirect to the page it asked for, with a live session', async () => {
    const access = await ap(vendor, mac);
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(access.url);
    await page.waitForURL((url) => url.href.startsWith(portalUrl));
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in to the school Wi-Fi');
    await expect(page.locator('.school').textContent()).resolves.toBe('Школа-гимназия №5');
    await signIn(page, user, `${user}-password`, true);
    await page.waitForURL(access.landing);
    await expect(page.locator('h1').textContent()).resolves.toBe('The page you asked for');
    const sessions = await store.sessions.list({ user });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ user, role: 'student', school: 'sch-p', mac: mac.toLowerCase().replace(/-/g, ':') });
    // Remembered: the same device reconnecting passes by MAC authentication, no portal.
    expect(await access.macAuth()).toBe(2);
    await page.close();
  });
});

describe('sign-in errors', () => {
  it('shows a wrong password in the person\'s language, and locks the username after 10 failures', async () => {
    const access = await ap('chilli', '00-1B-63-AA-00-03');
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(access.url);
    await signIn(page, 'dias', 'wrong-password');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Неверный логин или пароль.');
    for (let attempt = 2; attempt <= 10; attempt++) await signIn(page, 'dias', 'wrong-password');
    await signIn(page, 'dias', 'dias-password');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Слишком много неверных попыток для этого логина. Попробуйте через 15 минут.');
    expect(await store.sessions.list({ user: 'dias' })).toEqual([]);
    await context.close();
  });
});

describe('page quality', () => {
  it('works at 320 px wide, in a keyboard-only order, with the school\'s own logo', async () => {
    const logo = '<svg xmlns="http://www.w3.org/2000/svg" width="44" height="44"><circle cx="22" cy="22" r="20" fill="#c00"/></svg>';
    await store.schools.update('sch-p', { logo: logoDataUri(Buffer.from(logo), 'logo.svg') }, 'test');
    await waitFor(async () => (app.services.schools.get('sch-p')?.logo ? true : undefined), 2000, 'the logo');
    const access = await ap('chilli', '00-1B-63-AA-00-04');
    const page = await browser.newPage({ viewport: { width: 320, height: 640 }, locale: 'kk-KZ' });
    await page.goto(access.url);
    await page.waitForURL((url) => url.href.startsWith(portalUrl));
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(320);
    // The inline style is allowed by its CSP hash: the page is styled, not bare.
    expect(await page.evaluate("getComputedStyle(document.querySelector('button')).backgroundColor")).toBe('rgb(11, 79, 138)');
    expect(await page.locator('header img').getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Мектеп Wi-Fi желісіне кіру');
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push(String(await page.evaluate("document.activeElement?.getAttribute('name') ?? document.activeElement?.tagName")));
    }
    expect(order).toEqual(['username', 'password', 'remember', 'BUTTON']);
    await page.close();
  });
});
