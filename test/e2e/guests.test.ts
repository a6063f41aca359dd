// Guests a teacher lets in (issue 10) in real headless Chromium: two browser contexts — the
// guest's phone behind a test CoovaChilli AP and the teacher's console — against the real app,
// redis-server and RADIUS over UDP. The waiting page continues by itself once approved; a guest
// who closed the page gets in by MAC authentication until the approval ends; a denial reads in
// Russian; a teacher of another school sees nothing and cannot approve.
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepGuests } from '../../src/enforcement/guest-sweeper.js';
import { createServices } from '../../src/services/index.js';
import { createGuestStore } from '../../src/store/guests.js';
import { type Store } from '../../src/store/index.js';
import { keys } from '../../src/store/keys.js';
import { startListeningApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { type TestRedis } from '../helpers/redis.js';
import { startTestAp, type TestAp } from '../helpers/test-ap.js';

const SECRET = 'guest-e2e-secret';
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let browser: Browser;
let portalUrl: string;
const aps: TestAp[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ({ server, app, store, base: portalUrl } = await startListeningApp());
  await store.schools.add({ id: 'sch-p', name: 'School P', timezone: 'Asia/Almaty' }, 'test');
  await store.schools.add({ id: 'sch-q', name: 'School Q' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-p', nasId: 'test-chilli', rejectDelayMs: 0 }, 'test');
  await store.nas.add('127.0.0.2', { secret: SECRET, vendor: 'mikrotik', school: 'sch-p', nasId: 'test-mikrotik', rejectDelayMs: 0 }, 'test');
  await store.policies.set('guest', undefined, { downRate: 2_000_000, upRate: 500_000 }, [], 'test');
  await store.accounts.add({ username: 'aigul', password: 'aigul-password', role: 'teacher', school: 'sch-p', name: 'Aigul Sadykova' }, 'test');
  await store.accounts.add({ username: 'hasan', password: 'hasan-password', role: 'teacher', school: 'sch-q', name: 'Hasan Other' }, 'test');
  await waitFor(async () => app.nasDirectory.byNasId('test-mikrotik'), 2000, 'the NAS clients');
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  for (const ap of aps) await ap.close();
  await app?.close();
  await server.close();
});

async function context(locale: string): Promise<BrowserContext> {
  const created = await browser.newContext({ locale });
  contexts.push(created);
  return created;
}

async function ap(clientMac: string, vendor: 'chilli' | 'mikrotik' = 'chilli'): Promise<TestAp> {
  const started = await startTestAp({
    vendor, portalUrl, auth: app.radius.auth.port(), acct: app.radius.acct.port(), secret: SECRET, clientMac, nasId: `test-${vendor}`, nasIp: vendor === 'chilli' ? '127.0.0.1' : '127.0.0.2',
  });
  aps.push(started);
  return started;
}

/** The guest's phone: from the AP's redirect to the waiting page; returns the request code. */
async function ask(page: Page, access: TestAp, labels = { guest: 'I am a guest', name: 'Your name', teacher: 'Teacher', reason: 'Reason', ask: 'Ask for access' }): Promise<string> {
  await page.goto(access.url);
  await page.getByRole('link', { name: labels.guest }).click();
  await page.getByLabel(labels.name).fill('Saule Visitor');
  await page.getByLabel(labels.teacher).selectOption({ label: 'Aigul Sadykova' });
  await page.getByLabel(labels.reason, { exact: false }).fill('Parents meeting');
  await page.getByRole('button', { name: labels.ask }).click();
  await page.waitForURL(/\/guest\/wait\?/);
  const code = await page.locator('dd').first().textContent();
  expect(code).toMatch(/^[A-Z2-9]{6}$/);
  return code!;
}

async function teacher(username: string, password: string): Promise<Page> {
  const page = await (await context('en-US')).newPage();
  await page.goto(`${portalUrl}/console/login`);
  await page.getByLabel(/Username/).fill(username);
  await page.getByLabel(/Password/).fill(password);
  await page.getByRole('button', { name: /Sign in/ }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/console/login'));
  await page.goto(`${portalUrl}/console/guests`);
  return page;
}

const card = (page: Page, code: string) => page.locator('.guest-list > li', { hasText: code });
const callCheck = (mac: string) => radclient(app.radius.auth.port(), 'auth', SECRET, `User-Name=${mac.replace(/-/g, '')},User-Password=${mac.replace(/-/g, '')},Service-Type=Call-Check,Calling-Station-Id=${mac},NAS-Identifier=test-chilli,Message-Authenticator=0x00`, 5);

describe('a guest behind CoovaChilli (and MikroTik), a teacher in the console', () => {
  it.each([['chilli', '00-1B-63-C0-00-01'], ['mikrotik', '00:1B:63:C0:00:05']] as const)('continues by itself behind %s once the teacher approves, with the guest role', async (vendor, mac) => {
    const access = await ap(mac, vendor);
    const guest = await (await context('en-US')).newPage();
    const code = await ask(guest, access);
    await expect(guest.getByText('Aigul Sadykova').count()).resolves.toBeGreaterThan(0);

    const desk = await teacher('aigul', 'aigul-password');
    await expect(desk.locator('nav .badge').first().textContent()).resolves.toBe('1');
    await card(desk, code).getByRole('button', { name: /Approve/ }).click();
    await desk.waitForURL(/done=guestsApproved/);

    // The waiting page refreshes, finds the approval, releases through the AP and lands.
    await guest.waitForURL(access.landing, { timeout: 20_000 });
    const sessions = await store.sessions.list({ mac: mac.toLowerCase().replace(/-/g, ':') });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ role: 'guest', school: 'sch-p' });
    await desk.close();
  }, 40_000);

  it('lets a guest who closed the page in by MAC authentication, with the guest policy, until the approval ends', async () => {
    const mac = '00-1B-63-C0-00-02';
    const access = await ap(mac);
    const guest = await (await context('en-US')).newPage();
    const code = await ask(guest, access);
    await guest.close();
    expect((await callCheck(mac)).reply).toBe('Access-Reject');

    const desk = await teacher('aigul', 'aigul-password');
    await card(desk, code).getByLabel('2 hours').check();
    await card(desk, code).getByRole('button', { name: /Approve/ }).click();
    await desk.waitForURL(/done=guestsApproved/);

    const accepted = await waitFor(async () => {
      const answer = await callCheck(mac);
      return answer.reply === 'Access-Accept' ? answer : undefined;
    }, 3000, 'MAC authentication');
    const timeout = Number(/Session-Timeout = (\d+)/.exec(accepted.output)?.[1]);
    expect(timeout).toBeGreaterThan(7100);
    expect(timeout).toBeLessThanOrEqual(7200);
    expect(accepted.output).toMatch(/ChilliSpot-Bandwidth-Max-Down = 2000\b/);
    expect(await access.macAuth()).toBe(2);

    // The approval's end, as the sweep sees it three hours later: forgotten, refused again.
    await server.client().del(keys.guestSweepLock);
    await sweepGuests({
      redis: server.client(), guests: createGuestStore(server.client(), () => Date.now() + 3 * 3_600_000), devices: store.devices, sessions: store.sessions,
      disconnect: async () => undefined, log: { info: () => undefined, warn: () => undefined },
    });
    await waitFor(async () => ((await callCheck(mac)).reply === 'Access-Reject' ? true : undefined), 3000, 'the MAC refused again');
    expect(await access.macAuth()).toBe(3);
  }, 40_000);

  it('shows a denial, with the teacher\'s reason, in Russian', async () => {
    const access = await ap('00-1B-63-C0-00-03');
    const guest = await (await context('ru-RU')).newPage();
    const code = await ask(guest, access, { guest: 'Я гость', name: 'Ваше имя', teacher: 'Учитель', reason: 'Причина', ask: 'Попросить доступ' });
    const desk = await teacher('aigul', 'aigul-password');
    await card(desk, code).getByLabel(/Reason for the guest/).fill('Собрание перенесено на завтра');
    await card(desk, code).getByRole('button', { name: /Decline/ }).click();
    await desk.waitForURL(/done=guestsDenied/);
    await guest.getByRole('heading', { name: 'Запрос отклонён' }).waitFor({ timeout: 15_000 });
    await expect(guest.getByRole('alert').textContent()).resolves.toContain('Причина: Собрание перенесено на завтра');
  }, 40_000);

  it('gives a teacher of another school neither the request nor the approval (console and API)', async () => {
    const access = await ap('00-1B-63-C0-00-04');
    const guest = await (await context('en-US')).newPage();
    const code = await ask(guest, access);
    const other = await teacher('hasan', 'hasan-password');
    await expect(other.locator('main').textContent()).resolves.not.toContain(code);
    const csrf = await other.locator('input[name="_csrf"]').first().getAttribute('value');
    const approve = await other.request.post(`${portalUrl}/console/guests/approve`, { form: { _csrf: csrf!, id: code, duration: '1h' }, headers: { origin: portalUrl }, maxRedirects: 0 });
    expect(approve.status()).toBe(404);
    const services = createServices({ store: app.managementStore, enforcer: app.services.enforcer, admit: app.services.admit });
    const { token } = await services.tokens.create({ kind: 'root', actor: 'cli:test' }, { username: 'hasan' });
    const api = await other.request.post(`${portalUrl}/api/v1/guests/${code}/approve`, { data: { duration: '1h' }, headers: { authorization: `Bearer ${token}` } });
    expect(api.status()).toBe(404);
    expect((await store.guests.get(code))?.state).toBe('pending');
  }, 40_000);
});
