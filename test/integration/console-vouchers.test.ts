// The vouchers page: a teacher issues guest vouchers within the school's maximum (a student role
// or a longer duration is refused beside the form), batches listed with note and used/unused
// counts, revoked from the page and audited; the print sheet holds eight cards to a page, each
// with the code and a QR code joining the school's network; another school's batch is a 404.
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
  for (const role of ['student', 'guest']) await store.roles.add(role, 'test');
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.schools.update('sch-1', { ssid: 'School;One "Guests"' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana2', password: 'dana-password-2', role: 'school-admin', school: 'sch-2', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
});

async function teacher(): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app);
  await browser.signIn('timur', 'timur-password');
  return browser;
}

const batchIds = async () => (await store.vouchers.batches()).map((batch) => batch.id);

describe('/console/vouchers', () => {
  it('lets a teacher issue a batch of guest vouchers with a note, listed with its used and unused counts', async () => {
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const browser = await teacher();
    const page = await browser.get('/console/vouchers');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/console/vouchers"');
    expect(page.body).toContain('Guest vouchers, each lasting at most 8h');
    const issued = await browser.post('/console/vouchers', { role: 'guest', count: '10', duration: '2h', uses: '1', validUntil: inAMonth, note: "Parents' evening 12 March" });
    expect(issued.statusCode).toBe(303);
    const [id] = await batchIds();
    const codes = (await store.vouchers.inBatch(id!)).map((voucher) => voucher.code);
    // The end of that day in the school's time zone (Asia/Almaty, UTC+5).
    expect((await store.vouchers.batch(id!))?.validUntil).toBe(`${inAMonth}T18:59:59.000Z`);
    await store.vouchers.redeem(codes[0]!, '02:00:00:00:00:01');
    const listed = await browser.get(issued.headers.location as string);
    expect(listed.body).toContain('10 vouchers issued.');
    expect(listed.body).toContain('Parents&#39; evening 12 March');
    expect(listed.body).toMatch(/data-label="Used">1</);
    expect(listed.body).toMatch(/data-label="Unused">9</);
    const audit = await store.audit.recent(20);
    expect(audit.find((entry) => entry.action === 'voucher.batch')).toMatchObject({ actor: 'account:timur', school: 'sch-1', target: id });
  });

  it("refuses a teacher a student voucher and one longer than the school's maximum, beside the form, and issues nothing", async () => {
    const browser = await teacher();
    await browser.get('/console/vouchers');
    const student = await browser.post('/console/vouchers', { role: 'student', count: '1', duration: '1h', uses: '1' });
    expect(student.statusCode).toBe(400);
    expect(student.body).toContain('guest role only');
    const long = await browser.post('/console/vouchers', { role: 'guest', count: '1', duration: '9h', uses: '1' });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('at most 8h');
    await store.schools.update('sch-1', { voucherMax: 10 * 3600 }, 'test');
    expect((await browser.post('/console/vouchers', { role: 'guest', count: '1', duration: '9h', uses: '1' })).statusCode).toBe(303);
    expect(await batchIds()).toHaveLength(1);
  });

  it('revokes a batch from the page, with a notice and an audit entry per code', async () => {
    const browser = await teacher();
    await browser.get('/console/vouchers');
    await browser.post('/console/vouchers', { role: 'guest', count: '3', duration: '1h', uses: '1', note: 'Inspection' });
    const [id] = await batchIds();
    await browser.get('/console/vouchers');
    const revoked = await browser.post('/console/vouchers/revoke', { target: id! });
    expect(revoked.statusCode).toBe(303);
    expect((await browser.get(revoked.headers.location as string)).body).toContain('3 vouchers revoked; 0 devices disconnected.');
    expect((await store.audit.recent(20)).filter((entry) => entry.action === 'voucher.revoke' && entry.school === 'sch-1')).toHaveLength(3);
  });
});

describe('/console/vouchers/print', () => {
  it('prints eight cards to a sheet, each with the code and a QR code that joins the network (escaped SSID)', async () => {
    const browser = await teacher();
    await browser.get('/console/vouchers');
    await browser.post('/console/vouchers', { role: 'guest', count: '10', duration: '2h', uses: '1', note: 'Visit' });
    const [id] = await batchIds();
    const codes = (await store.vouchers.inBatch(id!)).map((voucher) => voucher.code);
    const sheet = await browser.get(`/console/vouchers/print?batch=${id}`);
    expect(sheet.statusCode).toBe(200);
    const sections = sheet.body.split('<section class="voucher-sheet">').slice(1);
    expect(sections.map((section) => section.split('<article class="voucher-card">').length - 1)).toEqual([8, 2]);
    for (const code of codes) expect(sheet.body).toContain(`<p class="voucher-code">${code}</p>`);
    expect(sheet.body.match(/<svg class="voucher-qr"/g)).toHaveLength(10);
    expect(sheet.body).toContain('data-wifi="WIFI:T:nopass;S:School\\;One \\&quot;Guests\\&quot;;;"');
    expect(sheet.body).toContain('School One');
    expect(sheet.body).not.toContain('<script');
  });

  it("answers another school's admin, and a teacher of the school who did not issue it, with a 404", async () => {
    const browser = await teacher();
    await browser.get('/console/vouchers');
    await browser.post('/console/vouchers', { role: 'guest', count: '1', duration: '1h', uses: '1' });
    const [id] = await batchIds();
    const other = new ConsoleBrowser(app, '10.9.0.2');
    await other.signIn('dana2', 'dana-password-2');
    expect((await other.get(`/console/vouchers/print?batch=${id}`)).statusCode).toBe(404);
    expect((await other.get('/console/vouchers')).body).not.toContain(id);
    await store.accounts.add({ username: 'aida', password: 'aida-password-1', role: 'teacher', school: 'sch-1', name: 'Aida' }, 'test');
    const colleague = new ConsoleBrowser(app, '10.9.0.3');
    await colleague.signIn('aida', 'aida-password-1');
    expect((await colleague.get(`/console/vouchers/print?batch=${id}`)).statusCode).toBe(404);
    const region = new ConsoleBrowser(app, '10.9.0.4');
    await region.signIn('rita', 'rita-password-1');
    expect((await region.get(`/console/vouchers/print?batch=${id}`)).statusCode).toBe(200);
  });
});
