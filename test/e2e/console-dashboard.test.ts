// The dashboard and a kick in real headless Chromium: RADIUS traffic from radclient is counted
// and drawn; a school admin signs in, sees the charts (with their hidden tables), ends a live
// session through the confirmation step — the Disconnect reaches the access point, FreeRADIUS's
// CoA listener, which ACKs it — and signs out. No CSP violation, no sideways scroll on a phone.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store } from '../../src/store/index.js';
import { startListeningApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { startCoaPeer, type FreeRadius } from '../helpers/freeradius.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { type TestRedis } from '../helpers/redis.js';

const SECRET = 'dash-e2e-secret-1';
const dir = mkdtempSync(join(tmpdir(), 'mk-dash-'));
const coaLog = join(dir, 'coa.log');
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let peer: FreeRadius;
let browser: Browser;
let base: string;
const violations: string[] = [];

beforeAll(async () => {
  ({ server, app, store, base } = await startListeningApp());
  const { peer: coaPeer, coaPort } = await startCoaPeer(dir, SECRET, coaLog);
  peer = coaPeer;
  await store.schools.add({ id: 'sch-7', name: 'School Seven' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', school: 'sch-7', name: 'Hall AP', coaPort, rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'asel', password: 'asel-password', role: 'student', school: 'sch-7' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-7', name: 'Dana' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  const auth = app.radius.auth.port();
  const acct = app.radius.acct.port();
  const login = await radclient(auth, 'auth', SECRET, 'User-Name=asel,User-Password=asel-password,Calling-Station-Id=AA-BB-CC-07-00-01,Message-Authenticator=0x00');
  expect(login.reply).toBe('Access-Accept');
  expect((await radclient(auth, 'auth', SECRET, 'User-Name=asel,User-Password=nope-nope,Message-Authenticator=0x00')).reply).toBe('Access-Reject');
  const common = `Acct-Session-Id=e2e-1,User-Name=asel,Calling-Station-Id=AA-BB-CC-07-00-01,NAS-IP-Address=127.0.0.1,Class=${login.attributes.Class![0]}`;
  await radclient(acct, 'acct', SECRET, `Acct-Status-Type=Start,${common}`);
  await radclient(acct, 'acct', SECRET, `Acct-Status-Type=Interim-Update,${common},Acct-Input-Octets=20000000,Acct-Output-Octets=300000000`);
  // Logins are written once a second: the page is opened once they are.
  const hour = new Date().toISOString().slice(0, 13);
  await waitFor(async () => (await server.client().hget(`mk:stats:sch-7:${hour}`, 'failed')) === '1' || undefined, 5000, 'the counted logins');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await peer?.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newPage(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 }, locale: 'en-GB' });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return page;
}

describe('a school admin on the dashboard', () => {
  it('sees the charts of the counted traffic, kicks a session through the confirmation step, and signs out', async () => {
    const page = await newPage(1280);
    await page.goto(`${base}/console/login`);
    await page.getByLabel('Username').fill('dana');
    await page.getByLabel('Password').fill('dana-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/console/`);

    const chart = page.getByRole('img', { name: /Traffic per hour by role/ });
    await expect(chart.count()).resolves.toBe(1);
    // The bars are drawn: a student's 320 MB this hour is a rectangle of real height.
    const heights = await page.evaluate<number[]>("[...document.querySelectorAll('#traffic-hour rect')].map((rect) => Number(rect.getAttribute('height')))");
    expect(heights.some((height) => height > 10)).toBe(true);
    await expect(page.locator('#traffic-hour table').textContent()).resolves.toContain('320');
    await expect(page.getByRole('img', { name: /Logins per hour.*1 logins accepted, 0 refused and 1 failed/ }).count()).resolves.toBe(1);
    await expect(page.getByText('Hall AP').count()).resolves.toBe(1);

    await page.getByRole('link', { name: 'Live sessions' }).first().click();
    await page.getByRole('link', { name: /Disconnect asel/ }).click();
    await expect(page.getByRole('heading', { name: 'Disconnect this session?' }).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Yes, disconnect' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('The access point confirmed: the session of asel has ended.');
    const line = await waitFor(async () => readFileSync(coaLog, 'utf8').split('\n').find((row) => row.startsWith('Disconnect-Request')), 5000, 'the Disconnect at the AP');
    expect(line).toContain('sess=e2e-1');

    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.waitForURL(/\/console\/login/);
    expect(violations).toEqual([]);
  });

  it('fits a phone: the charts scale with their viewBox, nothing scrolls sideways', async () => {
    const page = await newPage(390);
    await page.goto(`${base}/console/login`);
    await page.getByLabel('Username').fill('dana');
    await page.getByLabel('Password').fill('dana-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/console/`);
    const width = await page.evaluate<number>("document.querySelector('#logins-hour svg').getBoundingClientRect().width");
    expect(width).toBeLessThanOrEqual(390);
    expect(width).toBeGreaterThan(200);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(violations).toEqual([]);
  });
});
