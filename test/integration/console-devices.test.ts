// The devices page: admin-registered and portal-remembered devices of one's scope, who registered
// each, and forgetting one after a confirmation step (its next connection goes to the portal).
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

const macsOn = (body: string) => [...body.matchAll(/<td data-label="Device address \(MAC\)">([0-9a-f:]{17})/g)].map((match) => match[1]);

beforeAll(async () => {
  ({ server, app, redis, store } = await startConsoleApp());
});
afterAll(async () => {
  await app?.close();
  await server.close();
});
beforeEach(async () => {
  await redis.flushall();
  await store.roles.add('student', 'test');
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await store.devices.add({ mac: '00:11:22:00:00:01', role: 'student', school: 'sch-1' }, 'test');
  await store.devices.remember({ mac: '00:11:22:00:00:02', role: 'student', school: 'sch-1', user: 'ali', until: new Date(Date.now() + 86_400_000).toISOString() }, 'portal:test');
  await store.devices.add({ mac: '00:11:22:00:00:03', role: 'student', school: 'sch-2' }, 'test');
});

async function signedIn(username: string, password: string, ip = '10.9.5.1'): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app, ip);
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  return browser;
}

describe('the devices page', () => {
  it('lists a school admin\'s school only, saying who registered each, and filters by registrar and by MAC or user', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    const page = await dana.get('/console/devices');
    expect(page.statusCode).toBe(200);
    expect(macsOn(page.body).sort()).toEqual(['00:11:22:00:00:01', '00:11:22:00:00:02']);
    expect(page.body).toContain('an administrator');
    expect(page.body).toContain('the portal (remembered)');
    expect(page.body).not.toContain('00:11:22:00:00:03');
    expect(macsOn((await dana.get('/console/devices?by=portal')).body)).toEqual(['00:11:22:00:00:02']);
    expect(macsOn((await dana.get('/console/devices?q=ali')).body)).toEqual(['00:11:22:00:00:02']);
    expect((await dana.get('/console/devices?school=sch-2')).statusCode).toBe(403);
  });

  it('lets a region admin see every school, and refuses a teacher with 403', async () => {
    const rita = await signedIn('rita', 'rita-password-1');
    expect(macsOn((await rita.get('/console/devices')).body)).toHaveLength(3);
    expect(macsOn((await rita.get('/console/devices?school=sch-2')).body)).toEqual(['00:11:22:00:00:03']);
    const timur = await signedIn('timur', 'timur-password');
    const refused = await timur.get('/console/devices');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('00:11:22');
    expect((await timur.get('/console/')).body).not.toContain('href="/console/devices"');
  });

  it('forgets a device after the confirmation step, audited; another school\'s device is answered 404 and kept', async () => {
    const dana = await signedIn('dana', 'dana-password-1', '10.9.5.9');
    const confirm = await dana.get('/console/devices/forget?mac=00-11-22-00-00-02');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Forget this device?');
    const done = await dana.post('/console/devices/forget', { mac: '00:11:22:00:00:02' });
    expect(done.statusCode).toBe(303);
    expect((await dana.get(done.headers.location as string)).body).toContain('Device 00:11:22:00:00:02 is forgotten.');
    expect(await store.devices.get('00:11:22:00:00:02')).toBeUndefined();
    const [entry] = await store.audit.list({ actor: 'account:dana', count: 1 });
    expect(entry).toMatchObject({ action: 'device.remove', target: '00:11:22:00:00:02', school: 'sch-1', source: '10.9.5.9' });

    expect((await dana.get('/console/devices/forget?mac=00:11:22:00:00:03')).statusCode).toBe(404);
    expect((await dana.post('/console/devices/forget', { mac: '00:11:22:00:00:03' })).statusCode).toBe(404);
    expect(await store.devices.get('00:11:22:00:00:03')).toBeDefined();
  });
});
