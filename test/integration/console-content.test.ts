// /console/content: a school admin sees the profiles as they apply at their school, the lists,
// their networks, and turns their school's query log on (entries shown, filtered by user) and off
// (deleted); a teacher gets 403; another school's network is not listed.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
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
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.content.profiles.set('safe', 'sch-1', { youtube: 'strict' }, 'test');
  await store.content.networks.add('10.20.0.0/16', 'sch-1', 'safe', 'test');
  await store.content.networks.add('10.30.0.0/16', 'sch-2', 'safe', 'test');
  await store.accounts.add({ username: 'aliya', password: 'aliya-password', role: 'school-admin', school: 'sch-1', name: 'Aliya' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
});

async function as(username: string, password: string): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app);
  await browser.signIn(username, password);
  return browser;
}

describe('/console/content', () => {
  it('shows a school admin their school\'s profiles and networks, and runs its query log', async () => {
    const admin = await as('aliya', 'aliya-password');
    const page = await admin.get('/console/content?lang=en');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<td data-label="YouTube">strict</td>');
    expect(page.body).toContain('10.20.0.0/16');
    expect(page.body).not.toContain('10.30.0.0/16');
    expect(page.body).toContain('Off: no names are kept.');

    expect((await admin.post('/console/content/query-log', { turn: 'on', days: '3' })).statusCode).toBe(303);
    expect((await store.queryLog.settings()).get('sch-1')).toBe(3);
    await store.queryLog.append([
      { school: 'sch-1', at: Date.now(), record: { ip: '10.20.0.7', user: 'amir', domain: 'wikipedia.org', decision: 'allow:default' } },
      { school: 'sch-1', at: Date.now(), record: { ip: '10.20.0.8', user: 'bota', domain: 'games.example', decision: 'block:category games' } },
    ]);
    const filtered = await admin.get('/console/content?user=amir&lang=en');
    expect(filtered.body).toContain('wikipedia.org');
    expect(filtered.body).not.toContain('games.example');

    expect((await admin.post('/console/content/query-log', { turn: 'off' })).statusCode).toBe(303);
    expect(await redis.exists(keys.queryLog('sch-1'))).toBe(0);
    const actions = (await store.audit.recent(10)).map((entry) => `${entry.action} ${entry.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['content.query-log.on account:aliya', 'content.query-log.off account:aliya']));
  });

  it('lets a school admin change their school\'s override and networks, never the region\'s profile or another school\'s network', async () => {
    const admin = await as('aliya', 'aliya-password');
    await admin.get('/console/content');
    expect((await admin.post('/console/content/profile', { name: 'safe', youtube: 'off', blockDomains: 'tiktok.com, games.example' })).statusCode).toBe(303);
    const view = await store.content.profiles.view('safe', 'sch-1');
    expect([view.effective.youtube, view.effective.blockDomains]).toEqual(['off', ['tiktok.com', 'games.example']]);
    expect((await store.content.profiles.view('safe')).effective.youtube).toBe('moderate');
    expect((await admin.post('/console/content/profile', { name: 'safe', region: '1', youtube: 'off' })).statusCode).toBe(403);

    expect((await admin.post('/console/content/networks', { network: '10.21.0.0/16', profile: 'safe' })).statusCode).toBe(303);
    expect((await store.content.networks.list()).find((entry) => entry.network === '10.21.0.0/16')?.school).toBe('sch-1');
    expect((await admin.post('/console/content/networks', { network: '10.30.0.0/16', remove: '1' })).statusCode).toBe(404);
    expect((await admin.post('/console/content/networks', { network: '10.21.0.0/16', remove: '1' })).statusCode).toBe(303);
    expect((await store.content.networks.list()).map((entry) => entry.network)).toEqual(['10.20.0.0/16', '10.30.0.0/16']);
  });

  it('refuses a teacher (403), the page and the query log switch', async () => {
    const teacher = await as('timur', 'timur-password');
    expect((await teacher.get('/console/content')).statusCode).toBe(403);
    expect((await teacher.post('/console/content/query-log', { turn: 'on' })).statusCode).toBe(403);
    expect((await store.queryLog.settings()).size).toBe(0);
  });
});
