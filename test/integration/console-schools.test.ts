import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { ConsoleBrowser, startConsoleApp } from '../helpers/console.js';
import { waitFor } from '../helpers/process.js';
import type { TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let redis: Redis;
let store: Store;
// A Chilli redirect from the NAS of sch-5: the portal's login page for that school.
const chilli = '/?res=notyet&uamip=10.50.0.1&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=00-1B-63-00-50-01&ip=10.50.0.6&nasid=ch-50';

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
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
});

async function signedIn(username: string, password: string): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app, '10.9.5.1');
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  return browser;
}

/** The edit form as a browser sends it: multipart, with a file field. */
async function postSchool(browser: ConsoleBrowser, id: string, fields: Record<string, string>, logo?: { name: string; bytes: Buffer }) {
  const form = new FormData();
  form.set('_csrf', browser.csrf);
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set('logo', logo ? new Blob([new Uint8Array(logo.bytes)]) : new Blob([]), logo?.name ?? '');
  const request = new Request('http://x/', { method: 'POST', body: form });
  const payload = Buffer.from(await request.arrayBuffer());
  const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  return app.inject({ method: 'POST', url: `/console/schools/${id}`, remoteAddress: browser.ip, payload, headers: { cookie, 'content-type': request.headers.get('content-type')! } });
}

describe('the schools page', () => {
  it('lets a region admin add a school and set its time zone, uplink, colour and logo, each change audited', async () => {
    const rita = await signedIn('rita', 'rita-password-1');
    await rita.get('/console/schools');
    const added = await rita.post('/console/schools', { id: 'sch-5', name: 'School Five', timezone: 'Asia/Qostanay' });
    expect(added.statusCode).toBe(303);
    expect((await rita.get(added.headers.location as string)).body).toContain('School sch-5 is added.');

    const logo = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>');
    const saved = await postSchool(rita, 'sch-5', { name: 'Мектеп №5', timezone: 'Asia/Almaty', uplink: '150', colour: '#1b5e20' }, { name: 'logo.svg', bytes: logo });
    expect(saved.statusCode).toBe(303);
    expect(await store.schools.get('sch-5')).toMatchObject({
      name: 'Мектеп №5', timezone: 'Asia/Almaty', uplink: 150_000_000, colour: '#1b5e20', logo: `data:image/svg+xml;base64,${logo.toString('base64')}`,
    });
    const [entry] = await store.audit.list({ action: 'school.set', count: 1 });
    expect(entry).toMatchObject({ actor: 'account:rita', school: 'sch-5', source: '10.9.5.1' });
    expect((await rita.get('/console/schools')).body).toMatch(/Мектеп №5[\s\S]*150/);
  });

  it('refuses a logo over 4 KB and a colour white text cannot be read on, saying why', async () => {
    const rita = await signedIn('rita', 'rita-password-1');
    await rita.get('/console/schools/sch-1');
    const big = await postSchool(rita, 'sch-1', { name: 'School One' }, { name: 'big.png', bytes: Buffer.alloc(5000, 1) });
    expect(big.statusCode).toBe(400);
    expect(big.body).toContain('at most 4096');
    const pale = await postSchool(rita, 'sch-1', { name: 'School One', colour: '#ffff00' });
    expect(pale.statusCode).toBe(400);
    expect(pale.body).toContain('hard to read');
    expect(await store.schools.get('sch-1')).not.toHaveProperty('colour');
  });

  it('is the region admin\'s only: a school admin gets 403 pages and changes nothing', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    expect((await dana.get('/console/')).body).not.toContain('href="/console/schools"');
    expect((await dana.get('/console/schools')).statusCode).toBe(403);
    const refused = await postSchool(dana, 'sch-1', { name: 'Taken over' });
    expect(refused.statusCode).toBe(403);
    expect((await store.schools.get('sch-1'))?.name).toBe('School One');
  });
});

describe('a school\'s colour on its portal', () => {
  it('colours the login page with one style the CSP allows by its hash', async () => {
    await store.schools.add({ id: 'sch-5', name: 'School Five' }, 'test');
    await store.schools.update('sch-5', { colour: '#1b5e20' }, 'test');
    await store.nas.add('10.50.0.1', { secret: 'console-schools', vendor: 'chilli', school: 'sch-5', nasId: 'ch-50' }, 'test');
    await waitFor(async () => (app.nasDirectory.byNasId('ch-50') && app.services.schools.get('sch-5')?.colour ? true : undefined), 2000, 'the NAS and the colour');
    const page = await app.inject({ url: chilli, remoteAddress: '10.50.0.6' });
    expect(page.statusCode).toBe(200);
    const style = ':root{--accent:#1b5e20}';
    expect(page.body).toContain(`<style>${style}</style>`);
    const hash = `'sha256-${createHash('sha256').update(style).digest('base64')}'`;
    expect(page.headers['content-security-policy']).toContain(hash);
  });
});
