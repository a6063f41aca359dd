// The console's Access points page against real Redis: a school admin sees and adds only their
// school's access points, the generated secret is shown once (in the snippet too) and never
// again, edits and a confirmed removal are audited, last-heard times come from RADIUS traffic,
// and every vendor's snippet is the same text `mektep nas snippet` prints.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import { VENDORS } from '../../src/store/nas.js';
import { migrate } from '../../src/store/schema.js';
import { buildTestApp } from '../helpers/app.js';
import { ConsoleBrowser } from '../helpers/console.js';
import { runCli, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const PUBLIC_URL = 'https://wifi.sch1.kz';
let server: TestRedis;
let app: FastifyInstance;
let redis: Redis;
let store: Store;

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url, { PUBLIC_URL });
  redis = server.client();
  store = createStore(redis);
});
afterAll(async () => {
  await app?.close();
  await server.close();
});
beforeEach(async () => {
  await redis.flushall();
  await migrate(redis);
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await store.nas.add('10.2.0.1', { secret: 'other-school-secret', vendor: 'chilli', school: 'sch-2', name: 'Other hall' }, 'test');
});

async function signedIn(username: string, password: string, language = 'en'): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app, '10.9.4.1', language);
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  return browser;
}

describe('the access points page', () => {
  it('adds a MikroTik for a school admin\'s school, its secret shown once in the snippet, then only as a placeholder', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    const list = await dana.get('/console/nas');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('Other hall');
    const added = await dana.post('/console/nas', { address: '10.1.0.1', name: 'Hall AP', vendor: 'mikrotik', nasId: 'hall', coaPort: '3799' });
    expect(added.statusCode).toBe(201);
    const nas = await store.nas.get('10.1.0.1');
    expect(nas).toMatchObject({ school: 'sch-1', vendor: 'mikrotik', nasId: 'hall', name: 'Hall AP', coaPort: 3799 });
    expect(nas!.secret.length).toBeGreaterThanOrEqual(32);
    expect(added.body).toContain(`<code class="secret">${nas!.secret}</code>`);
    expect(added.body).toContain(`/radius add service=hotspot,wireless address=127.0.0.1 authentication-port=${app.radius.auth.port()} accounting-port=${app.radius.acct.port()} secret=&quot;${nas!.secret}&quot;`);
    expect(added.body).toContain('/ip hotspot walled-garden add dst-host=wifi.sch1.kz');
    expect(added.body).toContain('&lt;form name=&quot;mektep&quot; action=&quot;https://wifi.sch1.kz/&quot; method=&quot;get&quot;&gt;');
    expect((await store.audit.list({ action: 'nas.add', count: 1 }))[0]).toMatchObject({ actor: 'account:dana', target: '10.1.0.1', school: 'sch-1', source: '10.9.4.1' });

    const later = await dana.get('/console/nas/10.1.0.1');
    expect(later.statusCode).toBe(200);
    expect(later.body).not.toContain(nas!.secret);
    expect(later.body).toContain('secret=&quot;&lt;secret&gt;&quot;');
    expect((await dana.get('/console/nas')).body).toMatch(/Hall AP<\/td>[\s\S]*?<td data-label="Last heard">never<\/td>/);
  });

  it('keeps a school admin to their school and teachers out: 404 for another school\'s access point, 403 for a teacher', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    await dana.get('/console/nas');
    for (const url of ['/console/nas/10.2.0.1', '/console/nas/10.2.0.1/remove']) expect((await dana.get(url)).statusCode, url).toBe(404);
    expect((await dana.post('/console/nas/10.2.0.1', { name: 'Mine now' })).statusCode).toBe(404);
    expect((await dana.post('/console/nas/10.2.0.1/remove', {})).statusCode).toBe(404);
    expect((await dana.post('/console/nas', { address: '10.1.0.9', vendor: 'generic', school: 'sch-2' })).statusCode).toBe(403);
    expect(await store.nas.get('10.2.0.1')).toMatchObject({ name: 'Other hall', school: 'sch-2' });
    expect(await store.nas.get('10.1.0.9')).toBeUndefined();

    const timur = await signedIn('timur', 'timur-password');
    expect((await timur.get('/console/')).body).not.toContain('href="/console/nas"');
    expect((await timur.get('/console/nas')).statusCode).toBe(403);
    await timur.get('/console/');
    expect((await timur.post('/console/nas', { address: '10.1.0.9', vendor: 'generic' })).statusCode).toBe(403);
  });

  it('edits, and removes only after a confirmation page, both audited', async () => {
    await store.nas.add('10.1.0.0/24', { secret: 'hall-secret-123456', vendor: 'generic', school: 'sch-1' }, 'test');
    const dana = await signedIn('dana', 'dana-password-1', 'kk');
    const detail = await dana.get(`/console/nas/${encodeURIComponent('10.1.0.0/24')}`);
    expect(detail.statusCode).toBe(200);
    const saved = await dana.post(`/console/nas/${encodeURIComponent('10.1.0.0/24')}`, { name: 'Corridor', vendor: 'chilli', nasId: 'corridor', coaPort: '1700' });
    expect(saved.statusCode).toBe(303);
    expect((await dana.get(saved.headers.location as string)).body).toContain('Қолжетімділік нүктесі сақталды.');
    expect(await store.nas.get('10.1.0.0/24')).toMatchObject({ name: 'Corridor', vendor: 'chilli', nasId: 'corridor', coaPort: 1700 });
    expect((await store.audit.list({ action: 'nas.set', count: 1 }))[0]).toMatchObject({ actor: 'account:dana', target: '10.1.0.0/24', school: 'sch-1', source: '10.9.4.1' });

    const confirm = await dana.get(`/console/nas/${encodeURIComponent('10.1.0.0/24')}/remove`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Иә, жою');
    expect(await store.nas.get('10.1.0.0/24')).toBeDefined();
    const removed = await dana.post(`/console/nas/${encodeURIComponent('10.1.0.0/24')}/remove`, {});
    expect(removed.statusCode).toBe(303);
    expect((await dana.get(removed.headers.location as string)).body).toContain('10.1.0.0/24 қолжетімділік нүктесі жойылды.');
    expect(await store.nas.get('10.1.0.0/24')).toBeUndefined();
    expect((await store.audit.list({ action: 'nas.remove', count: 1 }))[0]).toMatchObject({ actor: 'account:dana', target: '10.1.0.0/24', school: 'sch-1', source: '10.9.4.1' });
  });

  it('shows when an access point was last heard over RADIUS', async () => {
    await store.nas.add('127.0.0.1', { secret: 'heard-secret-1234', vendor: 'mikrotik', school: 'sch-1', name: 'Loopback AP' }, 'test');
    await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
    const rita = await signedIn('rita', 'rita-password-1');
    expect((await rita.get('/console/nas')).body).toMatch(/Loopback AP<\/td>[\s\S]*?<td data-label="Last heard">never<\/td>/);
    await radclient(app.radius.acct.port(), 'acct', 'heard-secret-1234', 'Acct-Status-Type=Accounting-On,NAS-IP-Address=127.0.0.1');
    const page = await waitFor(async () => {
      const body = (await rita.get('/console/nas')).body;
      return /Loopback AP<\/td>[\s\S]*?<td data-label="Last heard">never<\/td>/.test(body) ? undefined : body;
    }, 3000, 'the last-heard time');
    expect(page).toMatch(/Loopback AP<\/td>[\s\S]*?<td data-label="Last heard">\d{1,2}\/\d{1,2}\/\d{2}, \d{1,2}:\d{2}\s[AP]M<\/td>/);
    // The other school's access point was never heard.
    expect(page).toMatch(/Other hall<\/td>[\s\S]*?<td data-label="Last heard">never<\/td>/);
  });

  it('shows, for every vendor, the same setup text as `mektep nas snippet`', async () => {
    const rita = await signedIn('rita', 'rita-password-1');
    const env = { REDIS_URL: server.url, PUBLIC_URL, RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: String(app.radius.auth.port()), RADIUS_ACCT_PORT: String(app.radius.acct.port()) };
    for (const [index, vendor] of VENDORS.entries()) {
      const address = `10.3.0.${index + 1}`;
      await store.nas.add(address, { secret: `vendor-secret-${vendor}`, vendor, school: 'sch-1', nasId: `ap-${vendor}` }, 'test');
      const page = await rita.get(`/console/nas/${address}`);
      const shown = [...page.body.matchAll(/<pre class="snippet" tabindex="0"><code>([\s\S]*?)<\/code><\/pre>/g)].map((match) => match[1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
      expect(shown.length, vendor).toBeGreaterThan(0);
      const cli = JSON.parse((await runCli(['nas', 'snippet', address, '--json'], env)).stdout) as { snippets: { text: string }[] };
      expect(shown, vendor).toEqual(cli.snippets.map((snippet) => snippet.text));
      expect(shown.join('\n'), vendor).not.toContain(`vendor-secret-${vendor}`);
    }
  });
});
