// The audit log page: read-only, newest first, filtered by actor, action, school (a region admin)
// and a date range in the school's calendar, paged; a school admin reads their school only.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOfDay } from '../../src/console/routes/audit.js';
import { createStore, type Store } from '../../src/store/index.js';
import { buildTestApp } from '../helpers/app.js';
import { ConsoleBrowser } from '../helpers/console.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let redis: Redis;
let store: Store;

const targets = (body: string) => [...body.matchAll(/<td data-label="Target">([^<]*)<\/td>/g)].map((match) => match[1]);
const day = (offsetDays: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date(Date.now() + offsetDays * 86_400_000));

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
  redis = server.client();
  store = createStore(redis);
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await store.audit.record({ actor: 'account:dana', action: 'user.disable', target: 'ali', school: 'sch-1', source: '10.0.0.5' });
  await store.audit.record({ actor: 'cli:root', action: 'session.kick', target: 'nas|s-1', school: 'sch-1' });
  await store.audit.record({ actor: 'account:erlan', action: 'user.disable', target: 'berik', school: 'sch-2' });
  for (let i = 0; i < 60; i++) await store.audit.record({ actor: 'cli:bulk', action: 'device.add', target: `bulk-${i}`, school: 'sch-1' });
});
afterAll(async () => {
  await app?.close();
  await server.close();
});

async function signedIn(username: string, password: string): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app, '10.9.6.1');
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  return browser;
}

describe('the audit log page', () => {
  it("shows a school admin their school's entries only, filtered by actor and action", async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    const page = await dana.get('/console/audit?action=user');
    expect(page.statusCode).toBe(200);
    expect(targets(page.body)).toEqual(['ali']);
    expect(page.body).toContain('10.0.0.5');
    expect(page.body).not.toContain('berik');
    expect(targets((await dana.get('/console/audit?actor=cli%3Aroot')).body)).toEqual(['nas|s-1']);
    expect(page.body).not.toContain('method="post" action="/console/audit');
    const other = await dana.get('/console/audit?school=sch-2');
    expect(other.statusCode).toBe(403);
    expect(other.body).not.toContain('berik');
  });

  it('lets a region admin read every school or one, and refuses a teacher with 403', async () => {
    const rita = await signedIn('rita', 'rita-password-1');
    expect(targets((await rita.get('/console/audit?action=user.disable')).body)).toEqual(['berik', 'ali']);
    expect(targets((await rita.get('/console/audit?action=user.disable&school=sch-2')).body)).toEqual(['berik']);
    const timur = await signedIn('timur', 'timur-password');
    expect((await timur.get('/console/audit')).statusCode).toBe(403);
  });

  it('filters by a date range of the school calendar', async () => {
    const rita = await signedIn('rita', 'rita-password-1');
    expect(targets((await rita.get(`/console/audit?action=user&from=${day(0)}&to=${day(0)}`)).body)).toEqual(['berik', 'ali']);
    expect(targets((await rita.get(`/console/audit?action=user&from=${day(1)}`)).body)).toEqual([]);
    expect(targets((await rita.get(`/console/audit?action=user&to=${day(-1)}`)).body)).toEqual([]);
    expect((await rita.get('/console/audit?from=yesterday')).statusCode).toBe(400);
  });

  it('pages 50 entries at a time, newest first', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    const first = await dana.get('/console/audit?actor=cli%3Abulk');
    expect(targets(first.body)).toHaveLength(50);
    expect(targets(first.body)[0]).toBe('bulk-59');
    expect(first.body).toContain('rel="next"');
    const second = await dana.get('/console/audit?actor=cli%3Abulk&page=2');
    expect(targets(second.body)).toEqual(Array.from({ length: 10 }, (_, i) => `bulk-${9 - i}`));
    expect(second.body).not.toContain('rel="next"');
  });
});

describe('startOfDay', () => {
  it('is midnight in the zone, across offsets', () => {
    expect(new Date(startOfDay('2026-12-01', 'Asia/Almaty')).toISOString()).toBe('2026-11-30T19:00:00.000Z');
    expect(new Date(startOfDay('2026-07-01', 'Europe/Berlin')).toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(new Date(startOfDay('2026-12-01', 'UTC')).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });
});
