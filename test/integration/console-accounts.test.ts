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
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await store.accounts.add({ username: 'zara', password: 'zara-password1', role: 'teacher', school: 'sch-2', name: 'Zara' }, 'test');
});

async function signedIn(username: string, password: string, ip = '10.9.1.1', language = 'en'): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app, ip, language);
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  return browser;
}

describe('the accounts page', () => {
  it('lets a school admin see and create the teachers of their school only, audited with actor, school and address', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    const page = await dana.get('/console/accounts');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('timur');
    expect(page.body).not.toContain('zara');
    expect(page.body).not.toContain('<option value="region-admin"');

    const created = await dana.post('/console/accounts', { username: 'aigerim', name: 'Aigerim', password: 'aigerim-pass-1', role: 'teacher' });
    expect(created.statusCode).toBe(303);
    expect((await dana.get(created.headers.location as string)).body).toContain('Account aigerim is created.');
    expect(await store.accounts.get('aigerim')).toMatchObject({ role: 'teacher', school: 'sch-1', status: 'active' });
    const [entry] = await store.audit.list({ action: 'account.create', count: 1 });
    expect(entry).toMatchObject({ actor: 'account:dana', target: 'aigerim', school: 'sch-1', source: '10.9.1.1' });
  });

  it('refuses a school admin creating a region admin, with a 403 page and nothing written', async () => {
    const dana = await signedIn('dana', 'dana-password-1', '10.9.1.2', 'ru');
    await dana.get('/console/accounts');
    const refused = await dana.post('/console/accounts', { username: 'boss', password: 'boss-password-1', role: 'region-admin' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Эта страница недоступна для вашей учётной записи.');
    expect(await store.accounts.get('boss')).toBeUndefined();
  });

  it('answers a teacher, and a school admin naming another school, with 403 and none of the data', async () => {
    const timur = await signedIn('timur', 'timur-password');
    for (const url of ['/console/accounts', '/console/accounts?school=sch-2']) {
      const refused = await timur.get(url);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toContain('zara');
    }
    expect((await timur.get('/console/')).body).not.toContain('href="/console/accounts"');
    const dana = await signedIn('dana', 'dana-password-1');
    const other = await dana.get('/console/accounts?school=sch-2');
    expect(other.statusCode).toBe(403);
    expect(other.body).not.toContain('zara');
    // Another school's teacher is not even known to exist.
    expect((await dana.post('/console/accounts/zara/status', { status: 'disabled' })).statusCode).toBe(404);
    expect((await store.accounts.get('zara'))?.status).toBe('active');
  });

  it('signs a disabled account out at its next request, and ends its sessions on a password reset', async () => {
    const timur = await signedIn('timur', 'timur-password', '10.9.1.3');
    const dana = await signedIn('dana', 'dana-password-1');
    await dana.get('/console/accounts');
    expect((await dana.post('/console/accounts/timur/password', { password: 'a-new-password' })).statusCode).toBe(303);
    const out = await timur.get('/console/');
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toMatch(/^\/console\/login\?.*ended=1/);

    const again = await signedIn('timur', 'a-new-password', '10.9.1.3');
    // Disabled by the CLI (not the console): the gate still notices at the next request.
    await store.accounts.setStatus('timur', 'disabled', 'cli:root');
    expect((await again.get('/console/')).statusCode).toBe(303);
    expect((await new ConsoleBrowser(app).signIn('timur', 'a-new-password')).body).toContain('This account is disabled');
  });

  it('changes one\'s own password: the other sessions end, this one goes on', async () => {
    const phone = await signedIn('timur', 'timur-password', '10.9.1.4');
    const laptop = await signedIn('timur', 'timur-password', '10.9.1.5');
    await laptop.get('/console/password');
    const wrong = await laptop.post('/console/password', { current: 'not-the-password', password: 'timur-new-password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('The current password is not right.');
    const changed = await laptop.post('/console/password', { current: 'timur-password', password: 'timur-new-password' });
    expect(changed.statusCode).toBe(303);
    expect((await laptop.get('/console/password?done=changed')).body).toContain('Your other sessions are signed out');
    expect((await laptop.get('/console/')).statusCode).toBe(200);
    expect((await phone.get('/console/')).statusCode).toBe(303);
  });
});
