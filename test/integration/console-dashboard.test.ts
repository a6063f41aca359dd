// The dashboard: figures counted from real RADIUS traffic (radclient logins, accounting with
// octets) and shown per school, for the region, and for nobody else; charts as accessible SVG.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/i18n/format.js';
import { createServices } from '../../src/services/index.js';
import type { Store } from '../../src/store/index.js';
import { STATS_RETENTION_SECONDS } from '../../src/store/stats.js';
import { ConsoleBrowser } from '../helpers/console.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';

const SECRET = 'dash-secret-42';
let fixture: AppFixture;
let app: FastifyInstance;
let store: Store;
let redis: Redis;

const root = { kind: 'root', actor: 'cli:test' } as const;

async function login(user: string, password: string, mac: string): Promise<string | undefined> {
  const reply = await radclient(fixture.auth, 'auth', SECRET, `User-Name=${user},User-Password=${password},Calling-Station-Id=${mac},Message-Authenticator=0x00`);
  return reply.reply === 'Access-Accept' ? reply.attributes.Class![0] : reply.reply;
}

async function traffic(sessionId: string, user: string, mac: string, classHex: string, inOctets: number, outOctets: number): Promise<void> {
  const common = `Acct-Session-Id=${sessionId},User-Name=${user},Calling-Station-Id=${mac},Class=${classHex}`;
  expect((await radclient(fixture.acct, 'acct', SECRET, `Acct-Status-Type=Start,${common}`)).reply).toBe('Accounting-Response');
  expect((await radclient(fixture.acct, 'acct', SECRET, `Acct-Status-Type=Interim-Update,${common},Acct-Input-Octets=${inOctets},Acct-Output-Octets=${outOctets}`)).reply).toBe('Accounting-Response');
}

async function signedIn(username: string, password: string): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app, '10.9.3.1');
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  return browser;
}

beforeAll(async () => {
  fixture = await startAppFixture();
  ({ app, store } = fixture);
  redis = fixture.server.client();
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-1', name: 'Library AP', rejectDelayMs: 0 }, 'test');
  await store.nas.add('10.99.0.1', { secret: 'other-secret-42', vendor: 'chilli', school: 'sch-2', name: 'Gym AP', nasId: 'gym' }, 'test');
  await store.users.add({ username: 'ali', password: 'ali-password', role: 'student', school: 'sch-1' }, 'test');
  await store.users.add({ username: 'berik', password: 'berik-password', role: 'student', school: 'sch-2' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1') && app.nasDirectory.find('10.99.0.1'), 2000, 'the NAS clients');

  // School One: ali logs in, fails once, moves 5 MB. School Two's berik (his user names his
  // school) logs in through the same AP and moves 7 MB.
  const ali = await login('ali', 'ali-password', 'AA-BB-CC-00-00-01');
  expect(await login('ali', 'wrong-password', 'AA-BB-CC-00-00-01')).toBe('Access-Reject');
  await traffic('s-ali', 'ali', 'AA-BB-CC-00-00-01', ali!, 3_000_000, 2_000_000);
  const berik = await login('berik', 'berik-password', 'AA-BB-CC-00-00-02');
  await traffic('s-berik', 'berik', 'AA-BB-CC-00-00-02', berik!, 4_000_000, 3_000_000);
  // RADIUS tallies logins in memory and writes them once a second: wait until they landed.
  const hour = new Date().toISOString().slice(0, 13);
  await waitFor(async () => (await redis.hget(`mk:stats-region:${hour}`, 'accept:student')) === '2' || undefined, 5000, 'the figures');
});
afterAll(async () => {
  await fixture?.close();
});

describe('the figures RADIUS traffic leaves', () => {
  it('counts logins by outcome and role, and bytes by role, per school and for the region, each hour expiring in 8 days', async () => {
    const hour = new Date().toISOString().slice(0, 13);
    expect(await redis.hgetall(`mk:stats:sch-1:${hour}`)).toEqual({ 'accept:student': '1', failed: '1', 'bytes:student': '5000000' });
    expect(await redis.hgetall(`mk:stats:sch-2:${hour}`)).toEqual({ 'accept:student': '1', 'bytes:student': '7000000' });
    expect(await redis.hgetall(`mk:stats-region:${hour}`)).toEqual({ 'accept:student': '2', failed: '1', 'bytes:student': '12000000' });
    const ttl = await redis.ttl(`mk:stats:sch-1:${hour}`);
    expect(ttl).toBeGreaterThan(STATS_RETENTION_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(STATS_RETENTION_SECONDS);
    // A re-sent Interim with the same totals adds nothing.
    const ali = (await store.sessions.get('127.0.0.1', 's-ali'))!;
    expect(ali.inOctets).toBe(3_000_000);
    expect(await redis.ttl(`mk:stats-top:sch-1:${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date())}`)).toBeGreaterThan(0);
  });

  it('gives a school admin their school only: charts with the counted figures, top user, the AP last heard, failed logins, health', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    const page = await dana.get('/console/');
    expect(page.statusCode).toBe(200);
    const body = page.body;
    expect(body).toContain('School One');
    expect(body.match(/<svg class="chart-svg"[^>]*role="img"/g)).toHaveLength(4);
    expect(body).toContain('<title id="traffic-hour-title">Traffic per hour by role</title>');
    // The hidden table says what the bars show: this hour's 5 MB for students.
    expect(body).toContain(`<td>${formatBytes('en', 5_000_000)}</td>`);
    expect(body).toMatch(/<td data-label="Username">ali<\/td>/);
    expect(body).toContain('Library AP');
    expect(body).not.toMatch(/Library AP<\/td><td data-label="Last heard from">not heard from yet/);
    expect(body).toMatch(/Failed logins, last 24 hours<\/h2><p class="figure">1</);
    expect(body).toMatch(/Redis: <strong>working/);
    // Nothing of School Two.
    for (const other of ['berik', 'Gym AP', '10.99.0.1', formatBytes('en', 7_000_000), formatBytes('en', 12_000_000)]) expect(body).not.toContain(other);
  });

  it('gives a region admin the region, or one school on asking', async () => {
    const rita = await signedIn('rita', 'rita-password-1');
    const region = (await rita.get('/console/')).body;
    expect(region).toContain('berik');
    expect(region).toContain('ali');
    expect(region).toContain(`<td>${formatBytes('en', 12_000_000)}</td>`);
    expect(region).toContain('Gym AP');
    const two = (await rita.get('/console/?school=sch-2')).body;
    expect(two).toContain('berik');
    expect(two).not.toMatch(/<td data-label="Username">ali<\/td>/);
    expect(two).not.toContain('Library AP');
  });

  it('refuses a school admin another school (403, none of its data), and shows a teacher only their students online', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    const other = await dana.get('/console/?school=sch-2');
    expect(other.statusCode).toBe(403);
    expect(other.body).not.toContain('berik');
    const timur = await signedIn('timur', 'timur-password');
    const page = await timur.get('/console/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Students online now: 1');
    expect(page.body).not.toContain('<svg');
    expect(page.body).not.toContain('ali');
    expect((await timur.get('/console/?school=sch-2')).statusCode).toBe(403);
  });

  it('answers GET /api/v1/dashboard with the same figures, scoped by the token', async () => {
    const services = createServices({ store: app.managementStore, enforcer: app.services.enforcer, admit: app.services.admit });
    const region = (await services.tokens.create(root, { username: 'rita' })).token;
    const school = (await services.tokens.create(root, { username: 'dana' })).token;
    const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const mine = await get('/api/v1/dashboard', school);
    expect(mine.statusCode).toBe(200);
    const figures = mine.json<{ school: string; live: Record<string, number>; failed24h: number; hours: { bytes: Record<string, number> }[]; topUsers: { user: string }[] }>();
    expect(figures).toMatchObject({ school: 'sch-1', live: { student: 1 }, failed24h: 1, topUsers: [{ user: 'ali' }] });
    expect(figures.hours.at(-1)!.bytes).toEqual({ student: 5_000_000 });
    expect((await get('/api/v1/dashboard?school=sch-2', school)).statusCode).toBe(403);
    const all = (await get('/api/v1/dashboard', region)).json<{ school?: string; live: Record<string, number> }>();
    expect(all.school).toBeUndefined();
    expect(all.live).toEqual({ student: 2 });
  });

  it('counts a portal sign-in refused for wrong credentials as a failed login of the AP\'s school', async () => {
    const hour = new Date().toISOString().slice(0, 13);
    const before = Number(await redis.hget(`mk:stats:sch-2:${hour}`, 'failed'));
    const form = await app.inject({ url: '/?res=notyet&uamip=10.99.0.1&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=00-1B-63-40-00-01&ip=10.40.0.9&nasid=gym', headers: { 'accept-language': 'en' } });
    expect(form.statusCode).toBe(200);
    // Posted as the browser would: the context cookie the page set, from the portal's own page.
    const refused = await app.inject({
      method: 'POST', url: '/login',
      headers: { cookie: form.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      payload: new URLSearchParams({ username: 'berik', password: 'not-his-password' }).toString(),
    });
    expect(refused.statusCode).toBe(401);
    await waitFor(async () => Number(await redis.hget(`mk:stats:sch-2:${hour}`, 'failed')) === before + 1 || undefined, 2000, 'the failed login counted');
  });
});
