// The console's Policies page against real Redis and a real UDP peer standing in for the access
// point: who may see it, the override a school admin edits (units as the CLI takes them, an
// emptied field cleared), the vendors' attributes, the audit entry, and the report of how a
// live session took the change (a NAK from the peer).
import { createSocket, type Socket } from 'node:dgram';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeReply, parseFrame } from '../../src/radius-wire/packet.js';
import { createStore, type Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/schema.js';
import { buildTestApp } from '../helpers/app.js';
import { ConsoleBrowser } from '../helpers/console.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const SECRET = 'policy-page-secret';
let server: TestRedis;
let app: FastifyInstance;
let redis: Redis;
let store: Store;
let peer: Socket;
let coaRequests = 0;

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
  redis = server.client();
  store = createStore(redis);
  // The access point's CoA port: it refuses every CoA-Request with a CoA-NAK (RFC 5176 §3.5).
  peer = createSocket('udp4');
  peer.on('message', (message, from) => {
    const frame = parseFrame(message);
    if (typeof frame === 'string') return;
    coaRequests++;
    peer.send(encodeReply({ code: 45, identifier: frame.identifier, requestAuthenticator: frame.authenticator, attributes: [], secret: SECRET, proxyStates: [], messageAuthenticator: true }), from.port, from.address);
  });
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', () => resolve()));
});
afterAll(async () => {
  peer?.close();
  await app?.close();
  await server.close();
});
beforeEach(async () => {
  await redis.flushall();
  await migrate(redis);
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await store.policies.set('student', undefined, { downRate: 5_000_000, upRate: 1_000_000, dailyQuota: 2_000_000_000 }, [], 'test');
});

async function signedIn(username: string, password: string, language = 'en'): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app, '10.9.2.1', language);
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  return browser;
}

describe('the policies page', () => {
  it("shows a school admin the global values beside their school's override, and the vendors' attributes", async () => {
    await store.policies.set('student', 'sch-1', { sessionTimeout: 8 * 3600 }, [], 'test');
    const dana = await signedIn('dana', 'dana-password-1');
    const page = await dana.get('/console/policies?role=student');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/console/policies"');
    // Global download rate, read-only beside the (empty) override field; the override's own value in its field.
    expect(page.body).toMatch(/<td data-label="Global">5Mbit\/s<\/td>\s*<td data-label="This school"><input type="text" id="f-down" name="down" value=""/);
    expect(page.body).toContain('name="session-timeout" value="8h"');
    expect(page.body).toMatch(/8h <span class="source source-override">\(this school\)<\/span>/);
    expect(page.body).toMatch(/2GB <span class="source source-global">\(global\)<\/span>/);
    expect(page.body).toContain('Mikrotik-Rate-Limit = 1000k/5000k');
    expect(page.body).toContain('ChilliSpot-Bandwidth-Max-Down = 5000');
    expect(page.body).toContain('Session-Timeout = 28800');
  });

  it("saves a school admin's override with the CLI's units, audited, and clears an emptied field back to the global value", async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    await dana.get('/console/policies?role=student');
    const saved = await dana.post('/console/policies', { role: 'student', down: '2Mbit/s', 'daily-quota': '500M', 'max-devices': '2' });
    expect(saved.statusCode).toBe(303);
    const after = await dana.get(saved.headers.location as string);
    expect(after.body).toContain('The policy of student is saved.');
    expect(after.body).toContain('No live session had to change.');
    const view = await store.policies.view('student', 'sch-1');
    expect(view.overridden).toEqual(['dailyQuota', 'downRate', 'maxDevices']);
    expect(view.effective).toMatchObject({ downRate: 2_000_000, dailyQuota: 500_000_000, maxDevices: 2, upRate: 1_000_000 });
    // The global policy did not move.
    expect((await store.policies.view('student')).effective.downRate).toBe(5_000_000);
    const [entry] = await store.audit.list({ action: 'policy.set', count: 1 });
    expect(entry).toMatchObject({ actor: 'account:dana', target: 'student@sch-1', school: 'sch-1', source: '10.9.2.1' });

    // Emptying the field clears it from the override; untouched fields are not rewritten.
    const cleared = await dana.post('/console/policies', { role: 'student', down: '', 'daily-quota': '500MB', 'max-devices': '2' });
    expect(cleared.statusCode).toBe(303);
    const again = await store.policies.view('student', 'sch-1');
    expect(again.overridden).toEqual(['dailyQuota', 'maxDevices']);
    expect(again.effective.downRate).toBe(5_000_000);
    const [second] = await store.audit.list({ action: 'policy.set', count: 1 });
    expect(second?.detail).toEqual({ set: {}, clear: ['downRate'] });
  });

  it('refuses a value without its unit with the parser\'s words beside the field, and writes nothing', async () => {
    const dana = await signedIn('dana', 'dana-password-1', 'ru');
    await dana.get('/console/policies');
    const refused = await dana.post('/console/policies', { role: 'student', down: '5', 'session-timeout': '8' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Проверьте введённые данные:');
    expect(refused.body).toContain('&quot;5&quot; needs a unit: a rate is in bits per second');
    expect(refused.body).toContain('&quot;8&quot; needs a unit: 8s, 8m, 8h or 8d');
    // What was typed stays in the form.
    expect(refused.body).toContain('name="down" value="5"');
    expect((await store.policies.view('student', 'sch-1')).overridden).toEqual([]);
    const nothing = await dana.post('/console/policies', { role: 'student' });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.body).toContain('Ничего не изменено');
  });

  it('keeps a school admin to their own override, and teachers out altogether', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    await dana.get('/console/policies');
    expect((await dana.get('/console/policies?school=sch-2')).statusCode).toBe(403);
    expect((await dana.post('/console/policies', { role: 'student', school: 'sch-2', down: '1M' })).statusCode).toBe(403);
    expect(await redis.exists('mk:policy:student@sch-2')).toBe(0);

    const timur = await signedIn('timur', 'timur-password');
    const home = await timur.get('/console/');
    expect(home.body).not.toContain('href="/console/policies"');
    const refused = await timur.get('/console/policies');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('5Mbit/s');
    await timur.get('/console/');
    expect((await timur.post('/console/policies', { role: 'student', down: '1M' })).statusCode).toBe(403);
    expect((await store.policies.view('student')).effective.downRate).toBe(5_000_000);
  });

  it("lets a region admin change the global policy, and reports how the live session took it (NAK)", async () => {
    await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', school: 'sch-1', coaPort: peer.address().port, rejectDelayMs: 0 }, 'test');
    await store.users.add({ username: 'erlan', password: 'erlan-password', role: 'student', school: 'sch-1' }, 'test');
    await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
    const auth = app.radius.auth.port();
    const acct = app.radius.acct.port();
    const login = await radclient(auth, 'auth', SECRET, 'User-Name=erlan,User-Password=erlan-password,Calling-Station-Id=AA-BB-CC-01-00-01,Message-Authenticator=0x00');
    expect(login.reply).toBe('Access-Accept');
    await radclient(acct, 'acct', SECRET, `Acct-Status-Type=Start,Acct-Session-Id=pol-1,User-Name=erlan,Calling-Station-Id=AA-BB-CC-01-00-01,NAS-IP-Address=127.0.0.1,Class=${login.attributes.Class![0]!}`);

    const rita = await signedIn('rita', 'rita-password-1');
    const page = await rita.get('/console/policies?role=student');
    expect(page.body).toContain('<option value="">Global</option>');
    expect(page.body).toContain('name="down" value="5Mbit/s"');
    const saved = await rita.post('/console/policies', { role: 'student', down: '3M' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toContain('total=1');
    const after = await rita.get(saved.headers.location as string);
    expect(after.body).toContain('Live sessions: 1. Updated by CoA: 0. Disconnected: 0. Refused by the access point (NAK): 1. No answer: 0.');
    expect(coaRequests).toBeGreaterThan(0);
    expect((await store.policies.view('student')).effective.downRate).toBe(3_000_000);
    const [entry] = await store.audit.list({ action: 'policy.set', count: 1 });
    expect(entry).toMatchObject({ actor: 'account:rita', target: 'student', source: '10.9.2.1' });
  });
});
