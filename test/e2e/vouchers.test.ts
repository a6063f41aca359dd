// Vouchers end to end: redeemed on the portal in real headless Chromium behind a test CoovaChilli
// (the AP's Access-Request accepted with the voucher's role, a Session-Timeout within what is
// left), a one-use code raced by two devices over RADIUS (radclient: exactly one Accept), and
// revocation and expiry reaching a real RFC 5176 peer (FreeRADIUS) as Disconnect-Request; the
// print sheet in Chromium's print media (A4: two pages for ten codes, no console around them).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import jsQRModule from 'jsqr';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepVouchers } from '../../src/enforcement/voucher-sweeper.js';
import { loadDictionaries } from '../../src/radius-wire/dictionary.js';
import { createLogger } from '../../src/logger.js';
import { keys } from '../../src/store/keys.js';
import { type Store } from '../../src/store/index.js';
import { startListeningApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { startCoaPeer, type FreeRadius } from '../helpers/freeradius.js';
import { runCli, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { type TestRedis } from '../helpers/redis.js';
import { startTestAp, type TestAp } from '../helpers/test-ap.js';
import { ask } from '../helpers/udp-peer.js';

// jsqr is CommonJS typed as an ES default export: its function is the module and its .default.
const jsQR = jsQRModule.default;

const SECRET = 'voucher-secret-3';
const UAM_SECRET = 'uam-secret-3';
const SESSION_TIMEOUT = 27;
const dir = mkdtempSync(join(tmpdir(), 'mk-voucher-'));
const coaLog = join(dir, 'coa.log');
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let browser: Browser;
let peer: FreeRadius;
let portalUrl: string;
const aps: TestAp[] = [];

const peerLines = () => (existsSync(coaLog) ? readFileSync(coaLog, 'utf8').trim().split('\n').filter(Boolean) : []);
const issue = async (duration: number, uses = 1) => (await store.vouchers.create({ role: 'guest', school: 'sch-v', duration, uses, count: 1 }, 'test'))[0]!.code;

beforeAll(async () => {
  ({ server, app, store, base: portalUrl } = await startListeningApp());
  const { peer: coaPeer, coaPort } = await startCoaPeer(dir, SECRET, coaLog);
  peer = coaPeer;
  await store.schools.add({ id: 'sch-v', name: 'School V', timezone: 'Asia/Almaty' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-v', nasId: 'test-chilli', uamSecret: UAM_SECRET, coaPort, rejectDelayMs: 0 }, 'test');
  await waitFor(async () => app.nasDirectory.byNasId('test-chilli'), 2000, 'the NAS client');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const ap of aps) await ap.close();
  await app?.close();
  await peer?.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function chilli(clientMac: string): Promise<TestAp> {
  const started = await startTestAp({ vendor: 'chilli', portalUrl, auth: app.radius.auth.port(), acct: app.radius.acct.port(), secret: SECRET, clientMac, nasId: 'test-chilli', nasIp: '127.0.0.1', uamSecret: UAM_SECRET });
  aps.push(started);
  return started;
}

describe('redeeming on the portal', () => {
  it('lets a device in with a code typed in small letters: the page it asked for, a live session in the guest role', async () => {
    const code = await issue(2 * 3600);
    const access = await chilli('00-1B-63-CC-00-01');
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(access.url);
    await page.getByRole('link', { name: 'I have a voucher' }).click();
    await page.getByLabel('Voucher code').fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Use voucher' }).click();
    await page.waitForURL(access.landing);
    const sessions = await store.sessions.list({ mac: '00:1b:63:cc:00:01' });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ role: 'guest', school: 'sch-v' });
    expect(sessions[0]!.user).toBeUndefined();
    expect(await store.vouchers.get(code)).toMatchObject({ used: 1 });
    await page.close();
  });

  it("has the AP's Access-Request accepted with a Session-Timeout no longer than what is left of the voucher", async () => {
    const code = await issue(3600);
    // The first of the voucher's hour is spent on another device.
    const first = await store.vouchers.create({ role: 'guest', school: 'sch-v', duration: 3600, uses: 2, count: 1 }, 'test');
    await store.vouchers.redeem(first[0]!.code, '02:00:00:00:cc:09', Date.now() - 20 * 60_000);
    const mac = '00-1B-63-CC-00-02';
    const access = await chilli(mac);
    const page = await browser.newPage({ locale: 'en-US' });
    // Play the AP's /logon ourselves, to read the Access-Accept it would get.
    let logon: URL | undefined;
    await page.route(`${access.url}logon**`, async (route) => {
      logon = new URL(route.request().url());
      await route.fulfill({ status: 200, body: 'ok' });
    });
    await page.goto(access.url);
    const challenge = Buffer.from(new URL(page.url()).searchParams.get('challenge')!, 'hex');
    for (const [typed, expected] of [[code, 3600], [first[0]!.code, 40 * 60]] as const) {
      logon = undefined;
      await page.getByRole('link', { name: 'I have a voucher' }).click();
      await page.getByLabel('Voucher code').fill(typed);
      await page.getByRole('button', { name: 'Use voucher' }).click();
      await waitFor(async () => logon, 5000, 'the release to the AP');
      const request = loadDictionaries().encode({
        code: 'Access-Request', identifier: 7, authenticator: Buffer.alloc(16, 3), secret: SECRET, add_message_authenticator: true,
        attributes: [
          ['User-Name', logon!.searchParams.get('username')!], ['CHAP-Password', Buffer.concat([Buffer.from([0]), Buffer.from(logon!.searchParams.get('response')!, 'hex')])],
          ['CHAP-Challenge', createHash('md5').update(challenge).update(UAM_SECRET).digest()], ['Calling-Station-Id', mac], ['NAS-Identifier', 'test-chilli'], ['NAS-IP-Address', '127.0.0.1'],
        ],
      });
      const reply = await ask(app.radius.auth.port(), request);
      expect(reply?.frame.code).toBe(2);
      const timeout = reply!.attributes.integer(SESSION_TIMEOUT)!;
      expect(timeout).toBeLessThanOrEqual(expected);
      expect(timeout).toBeGreaterThan(expected - 60);
      await page.waitForURL(/\/logon\?/);
      await page.goto(access.url);
    }
    await page.close();
  });

  it('says why a code is refused, in Russian: unknown, then used up', async () => {
    const code = await issue(3600);
    await store.vouchers.redeem(code, '02:00:00:00:cc:10');
    const access = await chilli('00-1B-63-CC-00-03');
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(access.url);
    await page.getByRole('link', { name: 'У меня есть ваучер' }).click();
    await page.getByLabel('Код ваучера').fill('ACDEFGHJKM');
    await page.getByRole('button', { name: 'Войти по ваучеру' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Такой код ваучера не найден. Проверьте его и попробуйте снова.');
    await page.getByLabel('Код ваучера').fill(code);
    await page.getByRole('button', { name: 'Войти по ваучеру' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Этот ваучер уже использован на всех устройствах, которые он допускает.');
    await context.close();
  });
});

describe('guessing codes', () => {
  it('locks a device out after 10 unknown codes, even for a right one, which stays unused', async () => {
    const code = await issue(3600);
    const access = await chilli('00-1B-63-CC-00-04');
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(access.url);
    await page.getByRole('link', { name: 'I have a voucher' }).click();
    for (let guess = 0; guess < 10; guess++) {
      await page.getByLabel('Voucher code').fill(`ZZZZZZZZ${String(guess).padStart(2, '2')}`);
      await page.getByRole('button', { name: 'Use voucher' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toBe('This voucher code is not known. Check it and try again.');
    }
    await page.getByLabel('Voucher code').fill(code);
    await page.getByRole('button', { name: 'Use voucher' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Too many wrong voucher codes. Try again in 15 minutes.');
    expect(await store.vouchers.get(code)).toMatchObject({ used: 0 });
    await page.close();
  });
});

describe('over RADIUS', () => {
  it('gives a one-use code raced by two devices to exactly one of them', async () => {
    const code = await issue(3600);
    const login = (mac: string) => radclient(app.radius.auth.port(), 'auth', SECRET, `User-Name=${code},User-Password=${code},Calling-Station-Id=${mac},Message-Authenticator=0x00`);
    const replies = await Promise.all([login('02-00-00-00-DD-01'), login('02-00-00-00-DD-02')]);
    expect(replies.map((reply) => reply.reply).sort()).toEqual(['Access-Accept', 'Access-Reject']);
    expect(replies.find((reply) => reply.reply === 'Access-Reject')!.attributes['Reply-Message']).toEqual(['This voucher has been used on all its devices']);
  });
});

describe('ending access', () => {
  async function online(code: string, mac: string, session: string): Promise<void> {
    const login = await radclient(app.radius.auth.port(), 'auth', SECRET, `User-Name=${code},User-Password=${code},Calling-Station-Id=${mac},Message-Authenticator=0x00`);
    expect(login.reply).toBe('Access-Accept');
    await radclient(app.radius.acct.port(), 'acct', SECRET, `Acct-Status-Type=Start,Acct-Session-Id=${session},User-Name=${code},Calling-Station-Id=${mac},NAS-IP-Address=127.0.0.1,Class=${login.attributes.Class![0]}`);
    await waitFor(async () => (await store.sessions.list({ mac: mac.toLowerCase().replace(/-/g, ':') })).length > 0 || undefined, 3000, 'the session');
  }

  it('revoking a used code (mektep voucher revoke) disconnects its live session at the AP and refuses the code afterwards', async () => {
    const code = await issue(3600);
    await online(code, '02-00-00-00-EE-01', 'v-revoke-1');
    const revoked = await runCli(['voucher', 'revoke', code, '--json'], { REDIS_URL: server.url });
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: [code], disconnected: 1 });
    const line = await waitFor(async () => peerLines().find((row) => row.startsWith('Disconnect-Request') && row.includes('sess=v-revoke-1')), 5000, 'the Disconnect at the peer');
    expect(line).toContain('mac=02-00-00-00-EE-01');
    const again = await radclient(app.radius.auth.port(), 'auth', SECRET, `User-Name=${code},User-Password=${code},Calling-Station-Id=02-00-00-00-EE-01,Message-Authenticator=0x00`);
    expect(again.attributes['Reply-Message']).toEqual(['This voucher has been revoked']);
  });

  it("the sweep disconnects a live session once the voucher's time has run out, and leaves running ones alone", async () => {
    const ending = await issue(3600);
    const running = await issue(3 * 3600);
    await online(ending, '02-00-00-00-EE-02', 'v-expire-1');
    await online(running, '02-00-00-00-EE-03', 'v-running-1');
    await server.client().del(keys.voucherSweepLock);
    // Ninety minutes on: the hour's voucher has run out, the three hours' has not.
    const ended = await sweepVouchers({
      redis: app.redis, vouchers: store.vouchers, sessions: store.sessions, log: createLogger('silent'), now: () => Date.now() + 90 * 60_000,
      disconnect: (session, reason) => app.services.enforcer.disconnect(session, reason, 'test'),
    });
    expect(ended).toBeGreaterThanOrEqual(1);
    await waitFor(async () => peerLines().find((row) => row.startsWith('Disconnect-Request') && row.includes('sess=v-expire-1')), 5000, 'the Disconnect at the peer');
    expect(peerLines().some((row) => row.includes('sess=v-running-1'))).toBe(false);
  });
});

describe('the print sheet', () => {
  it('prints ten codes on two A4 pages, with the console hidden and a QR code on every card', async () => {
    await store.schools.update('sch-v', { ssid: 'School-V Guests' }, 'test');
    await store.accounts.add({ username: 'saule', password: 'saule-password-1', role: 'teacher', school: 'sch-v', name: 'Saule' }, 'test');
    const page = await browser.newPage({ locale: 'en-US', deviceScaleFactor: 3 });
    await page.goto(`${portalUrl}/console/login`);
    await page.getByLabel('Username').fill('saule');
    await page.getByLabel('Password').fill('saule-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${portalUrl}/console/`);
    await page.goto(`${portalUrl}/console/vouchers`);
    await page.getByLabel('How many codes').fill('10');
    await page.getByLabel('Note (printed on the sheet)').fill('Open day');
    await page.getByRole('button', { name: 'Issue vouchers' }).click();
    await page.getByRole('link', { name: 'Print Open day' }).click();
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.locator('.voucher-sheet').count()).toBe(2);
    expect(await page.locator('.voucher-sheet').first().locator('.voucher-card').count()).toBe(8);
    // A sheet fills the A4 page inside its margins: four rows of 69 mm (96 px to the inch).
    const height = (await page.locator('.voucher-sheet').first().boundingBox())!.height;
    expect(height).toBeGreaterThan(1000);
    expect(height).toBeLessThan(1060);
    expect(await page.locator('svg.voucher-qr').count()).toBe(10);
    expect(await page.locator('svg.voucher-qr').first().getAttribute('data-wifi')).toBe('WIFI:T:nopass;S:School-V Guests;;');
    // What a phone's camera reads off the printed code.
    const image = PNG.sync.read(await page.locator('svg.voucher-qr').first().screenshot());
    expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe('WIFI:T:nopass;S:School-V Guests;;');
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(2);
    await page.close();
  });
});
