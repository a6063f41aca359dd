// Guests a teacher lets in (issue 10), against the real app, redis-server and radclient: the
// portal's form and waiting page, the teacher's console page and the API, the Access-Request
// of the hand-off and the MAC authentication afterwards, the sweep at the approval's end, the
// limits, the scoping and the privacy deletion.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sweepGuests } from '../../src/enforcement/guest-sweeper.js';
import { createServices, type Principal } from '../../src/services/index.js';
import { createGuestStore } from '../../src/store/guests.js';
import { keys } from '../../src/store/keys.js';
import { ConsoleBrowser } from '../helpers/console.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';

const SECRET = 'guest-secret-1';
const root: Principal = { kind: 'root', actor: 'cli:test' };
let fx: AppFixture;
let macCounter = 0;

beforeAll(async () => {
  fx = await startAppFixture({ PUBLIC_URL: 'http://portal.school.test' });
  await fx.store.roles.add('guest', 'test').catch(() => undefined);
  await fx.store.schools.add({ id: 'sch-g', name: 'School G' }, 'test');
  await fx.store.schools.add({ id: 'sch-h', name: 'School H' }, 'test');
  await fx.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', school: 'sch-g', nasId: 'gen-g', rejectDelayMs: 0 }, 'test');
  await fx.store.accounts.add({ username: 'aigul', password: 'aigul-password', role: 'teacher', school: 'sch-g', name: 'Aigul Teacher' }, 'test');
  await fx.store.accounts.add({ username: 'bolat', password: 'bolat-password', role: 'teacher', school: 'sch-g', name: 'Bolat Teacher' }, 'test');
  await fx.store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-g', name: 'Dana' }, 'test');
  await fx.store.accounts.add({ username: 'hasan', password: 'hasan-password', role: 'teacher', school: 'sch-h', name: 'Hasan Other' }, 'test');
  await waitFor(async () => (fx.app.nasDirectory.size() === 1 ? true : undefined), 2000, 'the NAS client');
});
afterAll(async () => {
  await fx?.close();
});
beforeEach(async () => {
  for (const kind of ['device', 'school'] as const) await fx.server.client().del(keys.guestAsked(kind, 'sch-g'));
  await fx.server.client().del(keys.guestAsked('school', 'sch-g'), keys.guestSweepLock);
});

const nextMac = () => `02:1b:63:10:00:${String(++macCounter).padStart(2, '0')}`;
const link = (mac: string) => `/?login_url=http%3A%2F%2F127.0.0.1%2Flogin&nasid=gen-g&mac=${mac.replace(/:/g, '-')}&ip=10.0.0.9`;
const cookies = (answer: LightMyRequestResponse) => answer.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
const field = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';

async function openForm(mac: string, language = 'en') {
  const login = await fx.app.inject({ url: link(mac), headers: { 'accept-language': language } });
  const href = /href="(\/guest\?[^"]+)"/.exec(login.body)![1]!.replace(/&amp;/g, '&');
  // The device's context rides in the cookie the login page set.
  const cookie = cookies(login);
  const form = await fx.app.inject({ url: href, headers: { cookie, 'accept-language': language } });
  return { form, cookie, language };
}

async function ask(mac: string, fields: Record<string, string> = {}, language = 'en') {
  const { cookie } = await openForm(mac, language);
  const answer = await fx.app.inject({
    method: 'POST', url: '/guest', headers: { cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', 'accept-language': language },
    payload: new URLSearchParams({ name: 'Saule Guest', contact: '+7 700 000 0000', sponsor: 'aigul', reason: 'Parents meeting', ...fields }).toString(),
  });
  const id = answer.statusCode === 303 ? new URL(answer.headers.location as string, 'http://x').searchParams.get('id') ?? '' : '';
  return { answer, id, cookie };
}

const wait = (cookie: string, id: string, language = 'en') => fx.app.inject({ url: `/guest/wait?${new URLSearchParams({ id }).toString()}`, headers: { cookie, 'accept-language': language } });

async function teacher(username: string, password: string) {
  const browser = new ConsoleBrowser(fx.app, '10.9.7.1');
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  // The CSRF token of a signed-in page, as the browser would have it.
  await browser.get('/console/');
  return browser;
}

const callCheck = (mac: string) => radclient(fx.auth, 'auth', SECRET, `User-Name=${mac.replace(/:/g, '')},User-Password=${mac.replace(/:/g, '')},Service-Type=Call-Check,Calling-Station-Id=${mac.replace(/:/g, '-')},NAS-Identifier=gen-g,Message-Authenticator=0x00`, 5);

describe('a guest asks, the teacher decides', () => {
  it('offers the form beside the login, lists the school\'s teachers, and waits with a code and the teacher\'s name', async () => {
    const mac = nextMac();
    const { form } = await openForm(mac);
    expect(form.statusCode).toBe(200);
    for (const label of ['Your name', 'Teacher', 'Reason', 'Ask for access', 'Aigul Teacher', 'Bolat Teacher']) expect(form.body).toContain(label);
    expect(form.body).not.toContain('Hasan Other');
    const { answer, id, cookie } = await ask(mac);
    expect(answer.statusCode).toBe(303);
    expect(id).toMatch(/^[A-Z2-9]{6}$/);
    const waiting = await wait(cookie, id);
    expect(waiting.statusCode).toBe(200);
    expect(waiting.headers.refresh).toBe('5');
    expect(waiting.body).toContain(id);
    expect(waiting.body).toContain('Aigul Teacher');
    expect(waiting.body).not.toContain('<script');
    // At most one pending request per device: asking again leads to the same one.
    expect((await ask(mac)).id).toBe(id);
  });

  it('hands the approved guest to the AP: the token is accepted with the guest role, Session-Timeout within the approval; then MAC authentication until the sweep ends it', async () => {
    const mac = nextMac();
    const { id, cookie } = await ask(mac);
    expect((await callCheck(mac)).reply).toBe('Access-Reject');
    const aigul = await teacher('aigul', 'aigul-password');
    const list = await aigul.get('/console/guests');
    expect(list.body).toContain('Saule Guest');
    expect(list.body).toMatch(/class="badge"[^>]*>\d+</);
    const approved = await aigul.post('/console/guests/approve', { id, duration: '1h' });
    expect(approved.statusCode, approved.body).toBe(303);

    const release = await wait(cookie, id);
    expect(release.body).toContain('id="release"');
    // A guest who comes back to the portal while the approval runs goes straight on.
    const back = await fx.app.inject({ url: '/guest', headers: { cookie } });
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toContain(`id=${id}`);
    const username = field(release.body, 'username');
    const password = field(release.body, 'password');
    const accept = await radclient(fx.auth, 'auth', SECRET, `User-Name=${username},User-Password=${password},Calling-Station-Id=${mac.replace(/:/g, '-')},NAS-Identifier=gen-g,Message-Authenticator=0x00`, 5);
    expect(accept.reply).toBe('Access-Accept');
    const timeout = Number(/Session-Timeout = (\d+)/.exec(accept.output)?.[1]);
    expect(timeout).toBeGreaterThan(3500);
    expect(timeout).toBeLessThanOrEqual(3600);

    // The device is remembered by the approval: its next connection passes by MAC.
    expect(await fx.store.devices.get(mac)).toMatchObject({ role: 'guest', registeredBy: 'guest', school: 'sch-g' });
    await waitFor(async () => ((await callCheck(mac)).reply === 'Access-Accept' ? true : undefined), 3000, 'MAC authentication');

    // Two hours later: the sweep ends the approval and forgets the device.
    const later = createGuestStore(fx.server.client(), () => Date.now() + 2 * 3_600_000);
    const ended = await sweepGuests({
      redis: fx.server.client(), guests: later, devices: fx.store.devices, sessions: fx.store.sessions,
      disconnect: async () => undefined, log: { info: () => undefined, warn: () => undefined },
    });
    expect(ended).toBe(1);
    // One instance sweeps a minute: another right after finds the lock held.
    expect(await sweepGuests({
      redis: fx.server.client(), guests: later, devices: fx.store.devices, sessions: fx.store.sessions,
      disconnect: async () => undefined, log: { info: () => undefined, warn: () => undefined },
    })).toBe(0);
    expect(await fx.store.devices.get(mac)).toBeUndefined();
    await waitFor(async () => ((await callCheck(mac)).reply === 'Access-Reject' ? true : undefined), 3000, 'the MAC refused again');
  });

  it('shows a denial with the teacher\'s reason in Russian, and the denied device may not ask again for a while', async () => {
    const mac = nextMac();
    const { id, cookie } = await ask(mac, {}, 'ru');
    const aigul = await teacher('aigul', 'aigul-password');
    expect((await aigul.post('/console/guests/deny', { id, reason: 'Встреча перенесена' })).statusCode).toBe(303);
    const page = await wait(cookie, id, 'ru');
    expect(page.body).toContain('Запрос отклонён');
    expect(page.body).toContain('Причина: Встреча перенесена');
    const again = await ask(mac, {}, 'ru');
    expect(again.answer.statusCode).toBe(403);
    expect(again.answer.body).toContain('Ваш предыдущий запрос отклонён');
  });
});

describe('scope', () => {
  it('lets only the teacher named and the school\'s admins see and decide a request: another school\'s teacher gets 404, in the console and the API', async () => {
    const { id } = await ask(nextMac());
    const hasan = await teacher('hasan', 'hasan-password');
    expect((await hasan.get('/console/guests')).body).not.toContain(id);
    expect((await hasan.post('/console/guests/approve', { id, duration: '1h' })).statusCode).toBe(404);
    const bolat = await teacher('bolat', 'bolat-password');
    expect((await bolat.get('/console/guests')).body).not.toContain(id);
    expect((await bolat.post('/console/guests/approve', { id, duration: '1h' })).statusCode).toBe(404);
    const dana = await teacher('dana', 'dana-password-1');
    expect((await dana.get('/console/guests')).body).toContain(id);

    const services = createServices({ store: fx.app.managementStore, enforcer: fx.app.services.enforcer, admit: fx.app.services.admit });
    const token = async (username: string) => (await services.tokens.create(root, { username })).token;
    const api = async (username: string, method: 'GET' | 'POST', url: string, payload?: object) =>
      fx.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${await token(username)}` }, ...(payload ? { payload } : {}) });
    const other = await api('hasan', 'GET', '/guests?state=pending');
    expect(other.statusCode).toBe(200);
    expect(other.body).not.toContain(id);
    expect((await api('hasan', 'POST', `/guests/${id}/approve`, { duration: '1h' })).statusCode).toBe(404);
    expect((await api('hasan', 'POST', `/guests/${id}/deny`, {})).statusCode).toBe(404);
    const own = await api('aigul', 'GET', '/guests?state=pending');
    expect(own.json<{ items: { id: string }[] }>().items.map((item) => item.id)).toContain(id);
    const approved = await api('aigul', 'POST', `/guests/${id}/approve`, { duration: '2h' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json<{ state: string }>().state).toBe('approved');
    expect((await api('aigul', 'POST', `/guests/${id}/deny`, {})).statusCode).toBe(409);
    expect((await api('aigul', 'POST', '/guests/ZZZZZZ/approve', { duration: '99h' })).statusCode).toBe(404);
  });
});

describe('limits, expiry and privacy', () => {
  it('counts requests per device and per school, and says so translated', async () => {
    const mac = nextMac();
    const services = createServices({ store: fx.app.managementStore, enforcer: fx.app.services.enforcer, admit: fx.app.services.admit });
    await services.guests.configure(root, 'sch-g', { devicePerHour: '2', pendingMinutes: '1' });
    try {
      const first = await ask(mac);
      await fx.server.client().del(keys.guestPending(mac, '127.0.0.1'));
      expect((await ask(mac)).answer.statusCode).toBe(303);
      await fx.server.client().del(keys.guestPending(mac, '127.0.0.1'));
      const third = await ask(mac, {}, 'kk');
      expect(third.answer.statusCode).toBe(429);
      expect(third.answer.body).toContain('Бұл құрылғыдан сұраулар тым көп');
      expect(first.id).not.toBe('');
      await services.guests.configure(root, 'sch-g', { devicePerHour: '50', schoolPerHour: '1' });
      await fx.server.client().set(keys.guestAsked('school', 'sch-g'), '1');
      expect((await ask(nextMac())).answer.statusCode).toBe(429);
    } finally {
      await fx.server.client().del(keys.guestSettings('sch-g'));
    }
  });

  it('lets a pending request run out, then keeps the name and contact only until the retention ends; the audit never has them', async () => {
    const redis = fx.server.client();
    const limits = { pendingMs: 60_000, devicePerHour: 10, schoolPerHour: 100, retentionMs: 30 * 86_400_000 };
    const input = { mac: nextMac(), nas: '127.0.0.1', school: 'sch-g', sponsor: 'aigul', name: 'Private Person', contact: 'private@example.test' };
    const asked = await createGuestStore(redis).ask(input, limits, 'portal:test');
    expect(asked.ok).toBe(true);
    const id = asked.ok ? asked.request.id : '';
    expect((await createGuestStore(redis, () => Date.now() + 120_000).get(id))?.state).toBe('expired');
    // A request that ended 31 days ago is gone, with the guest's name and contact.
    const old = await createGuestStore(redis, () => Date.now() - 31 * 86_400_000).ask({ ...input, mac: nextMac() }, limits, 'portal:test');
    expect(old.ok).toBe(true);
    expect(await redis.exists(keys.guestRequest(old.ok ? old.request.id : ''))).toBe(0);
    // Its place in the school's index goes too, once no request that old can still exist.
    const ancient = await createGuestStore(redis, () => Date.now() - 50 * 86_400_000).ask({ ...input, mac: nextMac() }, limits, 'portal:test');
    const ancientId = ancient.ok ? ancient.request.id : '';
    expect(await redis.zscore(keys.guestsOfSchool('sch-g'), ancientId)).not.toBeNull();
    await createGuestStore(redis).ask({ ...input, mac: nextMac() }, limits, 'portal:test');
    expect(await redis.zscore(keys.guestsOfSchool('sch-g'), ancientId)).toBeNull();
    const audit = JSON.stringify(await redis.xrange(keys.audit, '-', '+'));
    expect(audit).toContain('guest.ask');
    expect(audit).not.toContain('Private Person');
    expect(audit).not.toContain('private@example.test');
    expect(audit).not.toContain('Saule Guest');
  });
});

describe('the rules of a school', () => {
  it('are a school admin\'s to change on the console (a teacher gets 403, a wrong value is said), and apply to the form', async () => {
    const aigul = await teacher('aigul', 'aigul-password');
    expect((await aigul.get('/console/guests/settings')).statusCode).toBe(403);
    expect((await aigul.get('/console/guests')).body).not.toContain('/console/guests/settings');
    const dana = await teacher('dana', 'dana-password-1');
    const page = await dana.get('/console/guests/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="pendingMinutes" value="30"');
    const wrong = await dana.post('/console/guests/settings', { school: 'sch-h', schoolDayEnd: '25:00' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('schoolDayEnd is a time written HH:MM');
    try {
      // A school admin's form names their own school whatever it says.
      const saved = await dana.post('/console/guests/settings', { school: 'sch-h', contactRequired: 'yes', schoolDayEnd: '16:30' });
      expect(saved.statusCode).toBe(303);
      expect(await fx.store.guestSettings.get('sch-g')).toMatchObject({ contactRequired: true, schoolDayEnd: '16:30' });
      expect(await fx.server.client().exists(keys.guestSettings('sch-h'))).toBe(0);
      const missing = await ask(nextMac(), { contact: '' });
      expect(missing.answer.statusCode).toBe(400);
      expect(missing.answer.body).toContain('Please give a phone number or an e-mail address.');
    } finally {
      await fx.server.client().del(keys.guestSettings('sch-g'));
    }
  });
});
