// Voucher batches over the REST API against the real app and Redis: a batch answered with its
// codes (short, unambiguous, case-insensitive), listed with used/unused counts, teachers confined
// to guest vouchers within the school's maximum, another school's batch a 404, one-use codes
// raced by many devices, revocation refused at redemption and audited with the school.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/services/index.js';
import type { Principal } from '../../src/services/principal.js';
import { buildTestApp } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let services: Services;
const root: Principal = { kind: 'root', actor: 'cli:test' };
const tokens = { region: '', teacherA: '', teacherA2: '', adminB: '' };

interface Batch { id: string; note: string; codes: string[]; duration: number; validUntil: string; school?: string }

const call = async (who: keyof typeof tokens, options: InjectOptions) =>
  app.inject({ ...options, url: `/api/v1${options.url as string}`, headers: { authorization: `Bearer ${tokens[who]}` } });

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
  services = createServices({ store: app.managementStore, enforcer: app.services.enforcer, admit: app.services.admit });
  for (const [id, name] of [['sch-a', 'School A'], ['sch-b', 'School B']]) await services.schools.add(root, { id: id!, name: name! });
  await services.schools.set(root, 'sch-a', { voucherMax: 4 * 3600, ssid: 'School-A Guests' });
  await services.accounts.create(root, { username: 'region', role: 'region-admin', password: 'region-password' });
  await services.accounts.create(root, { username: 'teacher-a', role: 'teacher', school: 'sch-a', password: 'teacher-password' });
  await services.accounts.create(root, { username: 'teacher-a2', role: 'teacher', school: 'sch-a', password: 'teacher-password' });
  await services.accounts.create(root, { username: 'admin-b', role: 'school-admin', school: 'sch-b', password: 'admin-b-password' });
  for (const [who, username] of [['region', 'region'], ['teacherA', 'teacher-a'], ['teacherA2', 'teacher-a2'], ['adminB', 'admin-b']] as const) tokens[who] = (await services.tokens.create(root, { username })).token;
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

describe('issuing a batch', () => {
  it('answers with the batch, its note and its codes: ten characters with no 0/O, 1/I/L or 8/B', async () => {
    const reply = await call('teacherA', { method: 'POST', url: '/vouchers', payload: { role: 'guest', duration: '2h', count: 8, note: "Parents' evening 12 March" } });
    expect(reply.statusCode, reply.body).toBe(201);
    const batch = reply.json<Batch>();
    expect(batch).toMatchObject({ note: "Parents' evening 12 March", duration: 7200, school: 'sch-a' });
    expect(batch.id).toMatch(/^b-[0-9a-f]{12}$/);
    expect(batch.codes).toHaveLength(8);
    for (const code of batch.codes) expect(code).toMatch(/^[ACDEFGHJKMNPQRSTUVWXYZ2345679]{10}$/);
    // Valid for 30 days by default.
    expect(Date.parse(batch.validUntil) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const audit = await call('region', { method: 'GET', url: '/audit?action=voucher.batch&since=1h' });
    expect(audit.json()).toMatchObject({ items: [{ action: 'voucher.batch', target: batch.id, school: 'sch-a', actor: 'account:teacher-a' }] });
  });

  it('refuses a teacher a non-guest role and a duration beyond the school maximum (403), but not an admin', async () => {
    expect((await call('teacherA', { method: 'POST', url: '/vouchers', payload: { role: 'student', duration: '1h' } })).statusCode).toBe(403);
    const long = await call('teacherA', { method: 'POST', url: '/vouchers', payload: { role: 'guest', duration: '5h' } });
    expect(long.statusCode).toBe(403);
    expect(long.body).toContain('at most 4h');
    expect((await call('teacherA', { method: 'POST', url: '/vouchers', payload: { role: 'guest', duration: '4h' } })).statusCode).toBe(201);
    expect((await call('region', { method: 'POST', url: '/vouchers', payload: { role: 'student', school: 'sch-a', duration: '3d' } })).statusCode).toBe(201);
    // Without a school setting, the default maximum is 8 hours.
    expect((await services.vouchers.issue({ kind: 'teacher', username: 't', school: 'sch-b' }, { role: 'guest', duration: 9 * 3600, uses: 1, count: 1 }).catch((error: { statusCode: number }) => error.statusCode))).toBe(403);
  });

  it("answers another school's batch, and another teacher's, as absent (404), both to read and to revoke", async () => {
    const batch = (await call('teacherA', { method: 'POST', url: '/vouchers', payload: { role: 'guest', duration: '1h', count: 2 } })).json<Batch>();
    expect((await call('teacherA', { method: 'GET', url: `/voucher-batches/${batch.id}` })).statusCode).toBe(200);
    for (const who of ['adminB', 'teacherA2'] as const) {
      expect((await call(who, { method: 'GET', url: `/voucher-batches/${batch.id}` })).statusCode).toBe(404);
      expect((await call(who, { method: 'POST', url: `/vouchers/${batch.id}/revoke` })).statusCode).toBe(404);
      expect((await call(who, { method: 'POST', url: `/vouchers/${batch.codes[0]}/revoke` })).statusCode).toBe(404);
      expect((await call(who, { method: 'GET', url: '/voucher-batches' })).body).not.toContain(batch.id);
    }
    expect((await app.managementStore.vouchers.get(batch.codes[0]!))?.revoked).toBeUndefined();
  });
});

describe('redeeming', () => {
  it('takes the code in any case and with spaces or dashes', async () => {
    const { vouchers } = await services.vouchers.issue(root, { role: 'guest', school: 'sch-a', duration: 3600, uses: 1, count: 1 });
    const code = vouchers[0]!.code;
    const typed = `${code.slice(0, 5).toLowerCase()}-${code.slice(5)} `;
    expect(await app.managementStore.vouchers.redeem(typed, '02:00:00:00:00:01')).toMatchObject({ ok: true, voucher: { code } });
  });

  it('gives the one use of a code to exactly one of 20 devices racing for it; the winner may come back', async () => {
    const { vouchers } = await services.vouchers.issue(root, { role: 'guest', school: 'sch-a', duration: 3600, uses: 1, count: 1 });
    const code = vouchers[0]!.code;
    const macs = Array.from({ length: 20 }, (_, index) => `02:00:00:00:01:${index.toString(16).padStart(2, '0')}`);
    const results = await Promise.all(macs.map((mac) => app.managementStore.vouchers.redeem(code, mac)));
    const winners = macs.filter((_, index) => results[index]!.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.reason)).toEqual(Array(19).fill('used-up'));
    expect((await app.managementStore.vouchers.redeem(code, winners[0]!)).ok).toBe(true);
    expect((await app.managementStore.vouchers.get(code))?.used).toBe(1);
  });

  it('ends at "valid until" even when the duration would run longer', async () => {
    const validUntil = Date.now() + 600_000;
    const { vouchers } = await services.vouchers.issue(root, { role: 'guest', school: 'sch-a', duration: 7200, uses: 1, count: 1, validUntil });
    const redemption = await app.managementStore.vouchers.redeem(vouchers[0]!.code, '02:00:00:00:02:01');
    expect(redemption.ok && redemption.endsAt).toBe(validUntil);
    expect(await app.managementStore.vouchers.redeem(vouchers[0]!.code, '02:00:00:00:02:01', validUntil)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a revoked code, lists the batch with its used, unused and revoked counts, and audits the revocation with the school', async () => {
    const batch = (await call('teacherA', { method: 'POST', url: '/vouchers', payload: { role: 'guest', duration: '1h', count: 3, note: 'Inspection' } })).json<Batch>();
    expect((await app.managementStore.vouchers.redeem(batch.codes[0]!, '02:00:00:00:03:01')).ok).toBe(true);
    const revoked = await call('teacherA', { method: 'POST', url: `/vouchers/${batch.codes[1]}/revoke` });
    expect(revoked.json()).toEqual({ revoked: [batch.codes[1]], disconnected: 0 });
    expect(await app.managementStore.vouchers.redeem(batch.codes[1]!, '02:00:00:00:03:02')).toEqual({ ok: false, reason: 'revoked' });
    const listed = (await call('teacherA', { method: 'GET', url: '/voucher-batches' })).json<{ items: { id: string }[] }>();
    expect(listed.items.find((item) => item.id === batch.id)).toMatchObject({ note: 'Inspection', count: 3, used: 1, unused: 2, revoked: 1 });
    // The whole batch: the two not yet revoked.
    expect((await call('teacherA', { method: 'POST', url: `/vouchers/${batch.id}/revoke` })).json<{ revoked: string[] }>().revoked.sort()).toEqual([batch.codes[0], batch.codes[2]].sort());
    const audit = await call('region', { method: 'GET', url: '/audit?action=voucher.revoke&since=1h' });
    expect(audit.json<{ items: { school?: string }[] }>().items.filter((item) => item.school === 'sch-a')).toHaveLength(3);
  });
});
