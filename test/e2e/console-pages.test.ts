// The Policies and Users pages in real headless Chromium, with FreeRADIUS standing in for the
// access point's CoA port (as in enforcement.test.ts): a school admin edits the student policy
// of their school and the page reports the CoA that FreeRADIUS acknowledged; a CSV file with
// errors is listed line by line, then a good one imported; a teacher has no policy page.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const SECRET = 'console-coa-secret';
const dir = mkdtempSync(join(tmpdir(), 'mk-console-pages-'));
const coaLog = join(dir, 'coa.log');
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let peer: FreeRadius;
let browser: Browser;
let base: string;
const violations: string[] = [];

const peerLines = () => (existsSync(coaLog) ? readFileSync(coaLog, 'utf8').trim().split('\n').filter(Boolean) : []);

beforeAll(async () => {
  ({ server, app, store, base } = await startListeningApp());
  const { peer: coaPeer, coaPort } = await startCoaPeer(dir, SECRET, coaLog);
  peer = coaPeer;
  await store.schools.add({ id: 'sch-7', name: 'Школа-лицей №7', timezone: 'Asia/Almaty' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-7', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-7', name: 'Timur' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', school: 'sch-7', coaPort, rejectDelayMs: 0 }, 'test');
  await store.policies.set('student', undefined, { downRate: 5_000_000, upRate: 1_000_000 }, [], 'test');
  await store.users.add({ username: 'erlan', password: 'erlan-password', role: 'student', school: 'sch-7' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await peer?.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function signedIn(username: string, password: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${base}/console/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/console/`);
  return page;
}

describe('the console pages in a browser', () => {
  it("edits the school's student policy and reports the CoA the access point acknowledged", async () => {
    const login = await radclient(app.radius.auth.port(), 'auth', SECRET, 'User-Name=erlan,User-Password=erlan-password,Calling-Station-Id=AA-BB-CC-07-00-01,Message-Authenticator=0x00');
    await radclient(app.radius.acct.port(), 'acct', SECRET, `Acct-Status-Type=Start,Acct-Session-Id=web-1,User-Name=erlan,Calling-Station-Id=AA-BB-CC-07-00-01,NAS-IP-Address=127.0.0.1,Class=${login.attributes.Class![0]!}`);

    const page = await signedIn('dana', 'dana-password-1');
    await page.locator('.bar').getByRole('link', { name: 'Policies' }).click();
    await page.waitForURL(`${base}/console/policies`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Policies');
    await page.getByLabel('Download rate', { exact: true }).fill('2M');
    await page.getByRole('button', { name: 'Save and apply to live sessions' }).click();
    await page.waitForURL(/done=saved/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Live sessions: 1. Updated by CoA: 1. Disconnected: 0. Refused by the access point (NAK): 0. No answer: 0.');
    const line = await waitFor(async () => peerLines().find((row) => row.startsWith('CoA-Request')), 5000, 'the CoA at FreeRADIUS');
    expect(line).toContain('sess=web-1');
    expect(line).toContain('rate=1000k/2000k');
    // The override is shown as this school's, beside the global value.
    await expect(page.getByLabel('Download rate', { exact: true }).inputValue()).resolves.toBe('2Mbit/s');
    await expect(page.locator('tr', { has: page.getByLabel('Download rate', { exact: true }) }).textContent()).resolves.toMatch(/5Mbit\/s[\s\S]*2Mbit\/s \(this school\)/);
    expect((await store.policies.view('student', 'sch-7')).effective.downRate).toBe(2_000_000);
    await page.close();
  });

  it('lists every bad line of an imported CSV, then imports a good file on confirmation', async () => {
    const page = await signedIn('dana', 'dana-password-1');
    await page.goto(`${base}/console/users`);
    await page.getByRole('link', { name: 'Import from CSV' }).click();
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'username;name;role;school;password\r\naigerim;Айгерим;student;;\r\nБолат;Болат;student;;\r\nsaule;Сауле;astronaut;;\r\n');
    await page.getByLabel('CSV file (at most 2 MB)').setInputFiles(bad);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('2 line(s) have errors. Nothing was imported');
    const rows = await page.locator('table.import-errors tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^3Болат.*Cyrillic and other non-Latin letters are not supported/);
    expect(rows[1]).toMatch(/^4saule.*role "astronaut" does not exist/);
    expect(await store.users.get('aigerim')).toBeUndefined();

    const good = join(dir, 'good.csv');
    writeFileSync(good, 'username,name,role\naigerim,Айгерим Садыкова,student\nbolat,Болат,student\n');
    await page.getByLabel('CSV file (at most 2 MB)').setInputFiles(good);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('All 2 users are correct.');
    await page.getByRole('button', { name: 'Import these users' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('2 users are imported.');
    await expect(page.locator('code.secret').count()).resolves.toBe(2);
    expect(await store.users.get('aigerim')).toMatchObject({ name: 'Айгерим Садыкова', school: 'sch-7' });
    await page.close();
  });

  it('fits a phone (390 px) without sideways scrolling on every page of its own', async () => {
    const page = await signedIn('dana', 'dana-password-1');
    await page.setViewportSize({ width: 390, height: 800 });
    for (const path of ['/console/policies', '/console/users', '/console/users/import', '/console/nas', '/console/nas/127.0.0.1', '/console/nas/127.0.0.1/remove']) {
      await page.goto(`${base}${path}?lang=kk`);
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), path).toBe(true);
    }
    await page.close();
  });

  it('gives a teacher no policy page: not in the menu, and a translated 403 by address', async () => {
    const page = await signedIn('timur', 'timur-password');
    await expect(page.locator('.bar').getByRole('link', { name: 'Policies' }).count()).resolves.toBe(0);
    const refused = await page.goto(`${base}/console/policies`);
    expect(refused?.status()).toBe(403);
    await expect(page.locator('main').textContent()).resolves.toContain('This page is not for your account.');
    expect(violations).toEqual([]);
    await page.close();
  });
});
