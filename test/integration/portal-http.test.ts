// The portal over HTTP: OS probes, the RFC 8908 API, page weight, no open redirect, CSRF, and
// sign-out with a Disconnect-Request (sent here to a closed port: the outcome is recorded).
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_COOKIE, signContext, verifyContext } from '../../src/portal/context.js';
import { createStore, type Store } from '../../src/store/index.js';
import { buildTestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const PUBLIC = 'http://portal.school.test';
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
const online = '10.20.0.5';
const captive = '10.20.0.6';
// What a browser adds to a form posted from the portal's own page.
const FROM_PORTAL = { origin: PUBLIC, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' };
const chilli = '/?res=notyet&uamip=10.20.0.1&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=00-1B-63-00-20-01&ip=10.20.0.6&nasid=ch-20';

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url, { PUBLIC_URL: PUBLIC });
  store = createStore(server.client());
  await store.schools.add({ id: 'sch-20', name: 'School 20' }, 'test');
  await store.nas.add('10.20.0.1', { secret: 'portal-http-1', vendor: 'chilli', school: 'sch-20', nasId: 'ch-20', coaPort: 9 }, 'test');
  await store.policies.set('student', undefined, { sessionTimeout: 3600, dailyQuota: 1_000_000_000 }, [], 'test');
  await store.sessions.record({ nas: '10.20.0.1', nasIp: '127.0.0.1', sessionId: 'p-1', status: 'start', user: 'aliya', role: 'student', school: 'sch-20', ip: online, inOctets: 0, outOctets: 0 });
  await waitFor(async () => app.nasDirectory.byNasId('ch-20'), 2000, 'the NAS');
});
afterAll(async () => {
  await app?.close();
  await server.close();
});

describe('operating-system probes', () => {
  it.each([
    ['/generate_204', 204, ''],
    ['/hotspot-detect.html', 200, 'Success'],
    ['/connecttest.txt', 200, 'Microsoft Connect Test'],
    ['/canonical.html', 200, 'captive-portal'],
    ['/success.txt', 200, 'success'],
  ])('%s: answered as online for a signed-in device, redirected to the portal for a captive one', async (url, status, body) => {
    const on = await app.inject({ url, remoteAddress: online });
    expect(on.statusCode).toBe(status);
    expect(on.body).toContain(body);
    const off = await app.inject({ url, remoteAddress: captive });
    expect(off.statusCode).toBe(302);
    expect(off.headers.location).toBe(`${PUBLIC}/`);
  });
});

describe('RFC 8908 captive-portal API', () => {
  it('tells a captive device where to go, and an online one what is left', async () => {
    const off = await app.inject({ url: '/api/captive', remoteAddress: captive });
    expect(off.headers['content-type']).toBe('application/captive+json');
    expect(off.headers['cache-control']).toBe('private');
    expect(off.json()).toEqual({ captive: true, 'user-portal-url': `${PUBLIC}/`, 'can-extend-session': false });
    const on = (await app.inject({ url: '/api/captive', remoteAddress: online })).json<Record<string, number | boolean>>();
    expect(on).toMatchObject({ captive: false, 'bytes-remaining': 1_000_000_000 });
    expect(on['seconds-remaining']).toBeGreaterThan(3500);
  });
});

describe('the login page', () => {
  it('fits in one TCP initial window (14 KB) compressed, with no external asset', async () => {
    const page = await app.inject({ url: chilli, remoteAddress: captive, headers: { 'accept-encoding': 'gzip' } });
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(page.rawPayload.length).toBeLessThan(14 * 1024);
    const html = (await app.inject({ url: chilli, remoteAddress: captive })).body;
    expect(gzipSync(html).length).toBeLessThan(14 * 1024);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']https?:/i);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  it('never keeps a "continue to" URL that is not http(s) or points back at the portal', async () => {
    for (const userurl of ['javascript:alert(1)', `${PUBLIC}/status`, 'ftp://example.org/']) {
      const page = await app.inject({ url: `${chilli}&userurl=${encodeURIComponent(userurl)}`, remoteAddress: captive });
      const context = verifyContext(page.cookies.find((c) => c.name === CONTEXT_COOKIE)!.value, app.sessionSecret);
      expect(context).toMatchObject({ clientMac: '00:1b:63:00:20:01' });
      expect(context).not.toHaveProperty('originalUrl');
    }
  });

  it('refuses a login posted from another site, or saying nothing of where from, and a tampered or expired context', async () => {
    const page = await app.inject({ url: chilli, remoteAddress: captive });
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const post = (headers: Record<string, string>) => app.inject({
      method: 'POST', url: '/login', remoteAddress: captive, headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en', ...headers }, payload: 'username=a&password=b',
    });
    // A form on another site, as today's browsers and older ones (no Fetch Metadata) send it, and a client that says nothing.
    for (const headers of <Record<string, string>[]>[{ cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, { cookie, origin: 'http://evil.example' }, { cookie, 'sec-fetch-site': 'same-site' }, { cookie, origin: 'null' }, { cookie, referer: 'http://evil.example/form' }, { cookie }]) {
      const refused = await post(headers);
      expect(refused.statusCode, JSON.stringify(headers)).toBe(403);
      expect(refused.body).toContain('This sign-in page has expired');
    }
    const forged = signContext({ vendor: 'chilli', nasId: 'ch-20', clientMac: '00:1b:63:00:20:01', loginUrl: 'http://10.20.0.1:3990/logon' }, 'not-the-secret');
    for (const [value, text] of [[forged, 'Бұл сілтеме жарамсыз'], ['eyJhbGciOiJIUzI1NiJ9.e30.forged', 'Бұл сілтеме жарамсыз'], ['', 'Бұл сілтеме жарамсыз']] as const) {
      const tampered = await post({ ...FROM_PORTAL, cookie: `${CONTEXT_COOKIE}=${value}`, 'accept-language': 'kk' });
      expect(tampered.statusCode).toBe(400);
      expect(tampered.body).toContain(text);
    }
    const expired = signContext({ vendor: 'chilli', nasId: 'ch-20', clientMac: '00:1b:63:00:20:01', loginUrl: 'http://10.20.0.1:3990/logon' }, app.sessionSecret, 1800, Date.now() - 1801_000);
    const late = await post({ ...FROM_PORTAL, cookie: `${CONTEXT_COOKIE}=${expired}` });
    expect(late.statusCode).toBe(400);
    expect(late.body).toContain('This sign-in page has expired');
    // The same form from the portal's own page gets as far as the password check.
    const own = await post({ ...FROM_PORTAL, cookie });
    expect(own.statusCode).toBe(401);
  });

  it('gives every visitor of one school and language the same bytes, and each its own context cookie', async () => {
    const visit = (mac: string) => app.inject({ url: chilli.replace('00-1B-63-00-20-01', mac), remoteAddress: captive, headers: { 'accept-language': 'ru', 'accept-encoding': 'gzip' } });
    const [first, second] = [await visit('00-1B-63-00-20-31'), await visit('00-1B-63-00-20-32')];
    expect(first.rawPayload.equals(second.rawPayload)).toBe(true);
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.headers.vary).toMatch(/Accept-Encoding/);
    const [a, b] = [first, second].map((page) => page.cookies.find((c) => c.name === CONTEXT_COOKIE)!);
    expect(a!.value).not.toBe(b!.value);
    expect(a).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(verifyContext(b!.value, app.sessionSecret)).toMatchObject({ clientMac: '00:1b:63:00:20:32' });
    expect(first.body).not.toMatch(/00:1b:63|00-1B-63|_csrf/i);
    // Helmet's headers are prebuilt for it: the same as on every other portal page.
    const other = await app.inject({ url: '/no-such-page', remoteAddress: captive });
    for (const name of ['x-frame-options', 'x-content-type-options', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection', 'referrer-policy', 'content-security-policy']) {
      expect(first.headers[name], name).toBe(other.headers[name]);
    }
    expect(first.headers['referrer-policy']).toBe('same-origin');
    expect(first.headers['x-powered-by']).toBeUndefined();
    // The language links keep the context through the cookie alone.
    const kazakh = await app.inject({ url: '/?lang=kk', remoteAddress: captive, headers: { cookie: `${CONTEXT_COOKIE}=${a!.value}` } });
    expect(kazakh.statusCode).toBe(200);
    expect(kazakh.body).toContain('name="username"');
    expect(kazakh.body).toContain('lang="kk"');
    expect(kazakh.cookies.map((c) => c.name)).toEqual(['mk_lang']);
    // A redirect that names a language sets both cookies.
    const both = await app.inject({ url: `${chilli}&lang=kk`, remoteAddress: captive });
    expect(both.cookies.map((c) => c.name).sort()).toEqual([CONTEXT_COOKIE, 'mk_lang']);
  });

  it('shows a school\'s new name and a changed policy on the next landing page', async () => {
    const before = await app.inject({ url: chilli, remoteAddress: captive });
    expect(before.body).toContain('School 20');
    expect(before.body).not.toMatch(/name="remember" value="1" checked/);
    await store.policies.set('student', 'sch-20', { rememberByDefault: true }, [], 'test');
    await waitFor(async () => /name="remember" value="1" checked/.test((await app.inject({ url: chilli, remoteAddress: captive })).body) || undefined, 5000, 'the policy');
    await store.policies.set('student', 'sch-20', {}, ['rememberByDefault'], 'test');
    await store.schools.update('sch-20', { name: 'Abai School 20' }, 'test');
    await waitFor(async () => (await app.inject({ url: chilli, remoteAddress: captive })).body.includes('Abai School 20') || undefined, 5000, 'the renamed school');
    await store.schools.update('sch-20', { name: 'School 20' }, 'test');
    await waitFor(async () => !(await app.inject({ url: chilli, remoteAddress: captive })).body.includes('Abai') || undefined, 5000, 'the old name back');
  });

  it('gives unusable vendor parameters a clear page, not a stack trace', async () => {
    const bad = await app.inject({ url: '/?uamip=not-an-ip&challenge=00', headers: { 'accept-language': 'ru' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Эта ссылка недействительна');
    expect(bad.body).not.toContain(' at ');
  });
});

describe('status and sign-out', () => {
  it('shows who is online with time and data left, and signs out with a Disconnect-Request', async () => {
    const status = await app.inject({ url: '/status', remoteAddress: online, headers: { 'accept-language': 'en' } });
    expect(status.body).toContain('aliya');
    expect(status.body).toMatch(/Data left<\/dt><dd>1GB/);
    const elsewhere = await app.inject({ method: 'POST', url: '/logout', remoteAddress: online, headers: { ...FROM_PORTAL, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, payload: 'lang=en' });
    expect(elsewhere.statusCode).toBe(403);
    const out = await app.inject({ method: 'POST', url: '/logout', remoteAddress: online, headers: FROM_PORTAL, payload: 'lang=en' });
    expect(out.body).toContain('You are signed out');
    const audit = await waitFor(async () => (await store.audit.recent(3)).find((entry) => entry.action === 'session.disconnect'), 15_000, 'the audit entry');
    expect(audit).toMatchObject({ action: 'session.disconnect', target: '10.20.0.1|p-1', actor: 'portal:aliya', detail: expect.objectContaining({ reason: 'signed out on the portal', outcome: 'timeout' }) });
  });
});
