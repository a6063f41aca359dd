// Site requests in the guests' approval list (/console/guests): a teacher sees a student's site
// request beside a guest request, marked "Site request" with the site, who asked, why it was
// blocked and when, and the menu badge counts both; allows one for the day (granted to the
// school until midnight there, audited), another for the lesson (no focus running: 45 minutes),
// denies a third with a reason; a second decision is 409. A school admin of another school sees
// none of them and gets 404 deciding one; a region admin sees them; the old page redirects.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { ConsoleBrowser, startConsoleApp } from '../helpers/console.js';
import type { TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let redis: Redis;
let store: Store;

beforeAll(async () => {
  ({ server, app, redis, store } = await startConsoleApp());
});
afterAll(async () => {
  await app?.close();
  await server.close();
});
beforeEach(async () => {
  await redis.flushall();
  await store.schools.add({ id: 'sch-1', name: 'School One', timezone: 'Asia/Almaty' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await store.accounts.add({ username: 'dana2', password: 'dana-password-2', role: 'school-admin', school: 'sch-2', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'region', password: 'region-password', role: 'region-admin', name: 'Region' }, 'test');
});

async function as(username: string, password: string): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app);
  await browser.signIn(username, password);
  await browser.get('/console/guests');
  return browser;
}

const ask = (domain: string, user: string, rule: string, reason?: string) =>
  store.siteRequests.create({ school: 'sch-1', domain, user, ip: '10.0.0.7', rule, ...(reason ? { reason } : {}) }, 'portal:10.0.0.7');
const cards = (body: string) => body.split('<li class="card').slice(1);
const atSchool = (ms: number) => new Intl.DateTimeFormat('en', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);

describe('site requests in /console/guests', () => {
  it('lists a site request beside a guest request, marked, with the badge counting both', async () => {
    const limits = { pendingMs: 600_000, devicePerHour: 5, schoolPerHour: 50, retentionMs: 86_400_000 };
    expect((await store.guests.ask({ mac: '02:00:00:00:00:01', nas: '127.0.0.1', school: 'sch-1', sponsor: 'timur', name: 'Aigerim' }, limits, 'portal')).ok).toBe(true);
    await ask('wikipedia.org', 'amir', 'category:adult', 'history project');
    const teacher = await as('timur', 'timur-password');
    const page = await teacher.get('/console/guests?lang=en');
    expect(page.statusCode).toBe(200);
    const [site, guest] = cards(page.body);
    expect(site).toContain('<span class="tag">Site request</span> wikipedia.org');
    for (const fact of ['amir', 'category:adult', 'history project', 'School One', 'Allow for the lesson', 'Allow for today']) expect(site).toContain(fact);
    expect(guest).toContain('Aigerim');
    expect(page.body).toMatch(/aria-label="2 waiting">2</);
    expect(page.body).not.toContain('href="/console/site-requests"');

    const other = await as('dana2', 'dana-password-2');
    expect(cards((await other.get('/console/guests?lang=en')).body)).toEqual([]);
    const region = await as('region', 'region-password');
    expect(cards((await region.get('/console/guests?lang=en')).body)).toHaveLength(2);
  });

  it('allows for the day and for the lesson, denies with a reason, refuses a second decision and another school', async () => {
    const wiki = await ask('wikipedia.org', 'amir', 'category:adult');
    const games = await ask('games.example', 'bota', 'category:games');
    const chat = await ask('chat.example', 'bota', 'block-domain');
    const teacher = await as('timur', 'timur-password');
    const other = await as('dana2', 'dana-password-2');
    expect((await other.post('/console/site-requests/allow', { id: wiki.id, for: 'day' })).statusCode).toBe(404);
    expect((await other.post('/console/site-requests/deny', { id: wiki.id })).statusCode).toBe(404);

    const allowed = await teacher.post('/console/site-requests/allow', { id: wiki.id, for: 'day' });
    expect(allowed.statusCode).toBe(303);
    expect(allowed.headers.location).toMatch(/^\/console\/guests\?done=siteRequestsAllowed&until=/);
    // No lesson focus when amir asked: granted to amir's own devices.
    const granted = (await store.siteRequests.granted()).get('sch-1')!.get('user:amir')!;
    // Midnight at the school (UTC+5): the grant ends then, not in 24 hours.
    expect([atSchool(granted.get('wikipedia.org')!), granted.get('wikipedia.org')! - Date.now() <= 86_400_000]).toEqual(['00:00', true]);
    expect((await teacher.get(allowed.headers.location as string)).body).toContain('Allowed for the class until');

    const before = Date.now();
    expect((await teacher.post('/console/site-requests/allow', { id: games.id, for: 'lesson' })).statusCode).toBe(303);
    const lesson = (await store.siteRequests.granted()).get('sch-1')!.get('user:bota')!.get('games.example')!;
    expect(lesson).toBeGreaterThanOrEqual(before + 45 * 60_000);
    expect(lesson).toBeLessThanOrEqual(Date.now() + 45 * 60_000);

    expect((await teacher.post('/console/site-requests/deny', { id: chat.id, reason: 'not for class' })).statusCode).toBe(303);
    expect((await teacher.post('/console/site-requests/allow', { id: chat.id, for: 'day' })).statusCode).toBe(409);
    expect((await store.siteRequests.granted()).get('sch-1')?.get('user:bota')?.has('chat.example')).toBe(false);
    expect(await store.siteRequests.get(chat.id)).toMatchObject({ state: 'denied', denyReason: 'not for class', decidedBy: 'account:timur' });

    expect(cards((await teacher.get('/console/guests?lang=en')).body)).toEqual([]);
    const denied = cards((await teacher.get('/console/guests?state=denied&lang=en')).body);
    expect(denied).toHaveLength(1);
    expect(denied[0]).toContain('not for class');
    expect(cards((await teacher.get('/console/guests?state=approved&lang=en')).body)).toHaveLength(2);
    const actions = (await store.audit.recent(20)).map((entry) => `${entry.action} ${entry.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['site-request.allow account:timur', 'content.grant account:timur', 'site-request.deny account:timur']));
  });

  it('sends the old /console/site-requests page to the guests list', async () => {
    const teacher = await as('timur', 'timur-password');
    const old = await teacher.get('/console/site-requests?done=siteRequestsDismissed');
    expect([old.statusCode, old.headers.location]).toEqual([303, '/console/guests?done=siteRequestsDismissed']);
  });

  it('keeps a school listed while a grant of it runs, even when a read judged its names all ended', async () => {
    await store.siteRequests.grant('sch-1', ['user:dana'], 'maps.example', Date.now() + 3_600_000, 'test');
    // A read as of two hours on finds nothing running, as one racing a new grant might.
    expect((await store.siteRequests.granted(Date.now() + 7_200_000)).get('sch-1')).toBeUndefined();
    expect((await store.siteRequests.granted()).get('sch-1')?.get('user:dana')?.has('maps.example')).toBe(true);
  });
});
