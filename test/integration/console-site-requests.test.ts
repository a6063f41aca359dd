// /console/site-requests: a teacher sees their school's requests, allows one (the domain is
// granted to the school until the end of its day, audited) and dismisses another; a school admin
// of another school sees none of them and gets 404 deciding one.
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
});

async function as(username: string, password: string): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app);
  await browser.signIn(username, password);
  await browser.get('/console/site-requests');
  return browser;
}

describe('/console/site-requests', () => {
  it('lets a teacher allow a request for the rest of the school day and dismiss another; another school sees nothing', async () => {
    const wiki = await store.siteRequests.create({ school: 'sch-1', domain: 'wikipedia.org', user: 'amir', ip: '10.0.0.7', rule: 'adult', reason: 'history project' }, 'portal:10.0.0.7');
    const games = await store.siteRequests.create({ school: 'sch-1', domain: 'games.example', user: 'bota', ip: '10.0.0.8', rule: 'games' }, 'portal:10.0.0.8');
    const teacher = await as('timur', 'timur-password');
    const page = await teacher.get('/console/site-requests?lang=en');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('wikipedia.org');
    expect(page.body).toContain('history project');

    const other = await as('dana2', 'dana-password-2');
    expect((await other.get('/console/site-requests?lang=en')).body).toContain('No site requests are waiting.');
    expect((await other.post('/console/site-requests/allow', { id: wiki.id })).statusCode).toBe(404);

    const allowed = await teacher.post('/console/site-requests/allow', { id: wiki.id });
    expect(allowed.statusCode).toBe(303);
    const until = (await store.siteRequests.granted()).get('sch-1')?.get('wikipedia.org');
    // Midnight at the school (UTC+5): the grant ends then, not in 24 hours.
    const midnight = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(until);
    expect([midnight, until! - Date.now() <= 86_400_000]).toEqual(['00:00', true]);
    expect((await teacher.post('/console/site-requests/dismiss', { id: games.id })).statusCode).toBe(303);
    expect(await store.siteRequests.listOfSchool('sch-1')).toEqual([]);
    const actions = (await store.audit.recent(20)).map((entry) => `${entry.action} ${entry.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['site-request.allow account:timur', 'content.grant account:timur', 'site-request.dismiss account:timur']));
  });
});
