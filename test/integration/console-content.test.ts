// /console/content: a school admin sees the profiles as they apply at their school, the lists,
// their networks, and turns their school's query log on (entries shown, filtered by user) and off
// (deleted); a teacher gets 403; another school's network is not listed. A region admin uploads
// a hosts file (multipart, with the page's CSRF token) and the resolver's decision then blocks a
// name from it; a school admin's upload, a forged one and one over the limit import nothing.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CATEGORY_UPLOAD_MAX_BYTES } from '../../src/services/content.js';
import { createServices } from '../../src/services/index.js';
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
  await store.accounts.add({ username: 'region', password: 'region-password', role: 'region-admin', name: 'Region' }, 'test');
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

const BOUNDARY = '----mektep-test-boundary';

/** A form as a browser posts it: the text fields first, the file last. */
function multipart(fields: Record<string, string>, file: string | Readable): Readable {
  const head = Object.entries(fields).map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('');
  const open = `${head}--${BOUNDARY}\r\nContent-Disposition: form-data; name="list"; filename="hosts.txt"\r\nContent-Type: text/plain\r\n\r\n`;
  const body = typeof file === 'string' ? [file] : file;
  return Readable.from((async function* () {
    yield Buffer.from(open);
    for await (const chunk of body) yield Buffer.from(chunk as string);
    yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  })());
}

async function upload(browser: ConsoleBrowser, fields: Record<string, string>, file: string | Readable) {
  await browser.get('/console/content');
  return app.inject({
    method: 'POST', url: '/console/content/categories?lang=en', remoteAddress: browser.ip, payload: multipart({ _csrf: browser.csrf, ...fields }, file),
    headers: { cookie: [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; '), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  });
}

describe('uploading a category list on /console/content', () => {
  const HOSTS = '# hosts\n0.0.0.0 casino.example www.casino.example\n127.0.0.1 localhost\nbets.example\nbets.example\n';

  it('imports a region admin\'s hosts file with the CLI\'s report, and the decision then blocks a name from it', async () => {
    const region = await as('region', 'region-password');
    const page = await upload(region, { category: 'gambling', replace: '1' }, HOSTS);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('Category gambling: 5 lines read, 3 names kept, 1 duplicates, 1 lines refused. It now holds 3 names.');
    expect(page.body).toContain('a local name, not one to block');
    await store.content.profiles.set('safe', undefined, { blockCategories: ['gambling'] }, 'test');
    await store.roles.add('student', 'test');
    const services = createServices({ store, enforcer: app.services.enforcer, admit: app.services.admit });
    const check = await services.content.check({ kind: 'root', actor: 'test' }, 'live.casino.example', { role: 'student' });
    expect(check.decision).toMatchObject({ action: 'block', category: 'gambling' });
    expect((await store.audit.recent(5)).map((entry) => `${entry.action} ${entry.actor}`)).toContain('content.import account:region');
  });

  it('refuses a school admin\'s upload, a forged one, and one over the limit with the translated message; nothing is imported', async () => {
    const admin = await as('aliya', 'aliya-password');
    expect((await upload(admin, { category: 'gambling' }, HOSTS)).statusCode).toBe(403);
    const region = await as('region', 'region-password');
    const forged = await app.inject({
      method: 'POST', url: '/console/content/categories', remoteAddress: region.ip, payload: multipart({ _csrf: 'forged', category: 'gambling' }, HOSTS),
      headers: { cookie: [...region.cookies].map(([name, value]) => `${name}=${value}`).join('; '), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    expect(forged.statusCode).toBe(403);

    // A megabyte of names at a time, one past the limit, streamed with no Content-Length.
    const line = 'blocked-name-padding-padding.example\n';
    const block = line.repeat(Math.ceil(1024 * 1024 / line.length));
    const chunks = Math.ceil(CATEGORY_UPLOAD_MAX_BYTES / block.length) + 1;
    const big = Readable.from((function* () { for (let sent = 0; sent < chunks; sent++) yield block; })());
    // A school admin's is refused before it is read: 403, not the limit's 413, and not all of it pulled.
    let pulled = 0;
    const notRead = Readable.from((function* () { for (; pulled < chunks; pulled++) yield block; })());
    expect((await upload(admin, { category: 'gambling' }, notRead)).statusCode).toBe(403);
    expect(pulled).toBeLessThan(chunks);
    const refused = await upload(region, { category: 'gambling' }, big);
    expect(refused.statusCode).toBe(413);
    expect(refused.body).toContain('The file is larger than 200 MB: nothing was imported. Import it on the server.');
    expect(await store.content.categories.list()).toEqual([]);
  }, 60_000);
});
