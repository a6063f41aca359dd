// The permission matrix of the services layer: every principal kind × every action × a target
// in its own school and in another, against real Redis. Each cell is done, 403 or 404 — and
// whatever a confined principal gets back holds nothing of the other school.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnforcementResult } from '../../src/enforcement/enforcer.js';
import { verifyPassword } from '../../src/security/password.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { Principal } from '../../src/services/principal.js';
import { createStore, type Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/schema.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;
let store: Store;
let services: Services;
const kicked: string[] = [];
const root: Principal = { kind: 'root', actor: 'cli:test' };

// Live enforcement is another layer's concern (tested against a real NAS in e2e/); here it
// only has to say what it was asked to do.
const enforcer = {
  applyPolicy: async () => [] as EnforcementResult[],
  disconnectUser: async () => [] as EnforcementResult[],
  disconnect: async (session: { id: string }): Promise<EnforcementResult> => {
    kicked.push(session.id);
    return { session: session.id, action: 'disconnect', outcome: 'ack' };
  },
};

const principals: Record<string, Principal> = {
  root,
  region: { kind: 'region-admin', username: 'region', source: '192.0.2.10' },
  adminA: { kind: 'school-admin', username: 'admin-a', school: 'sch-a', source: '192.0.2.11' },
  teacherA: { kind: 'teacher', username: 'teacher-a', school: 'sch-a' },
  portal: { kind: 'portal', mac: 'aa:bb:cc:00:00:01', ip: '10.1.5.5' },
  nas: { kind: 'nas', address: '10.1.0.1', ip: '10.1.0.1' },
};
const CONFINED = new Set(['adminA', 'teacherA']);

let serial = 0;
const next = () => ++serial;
const school = (side: Side) => (side === 'own' ? 'sch-a' : 'sch-b');
type Side = 'own' | 'other';
type Outcome = 'ok' | 403 | 404;
type Action = (s: Services, p: Principal, side: Side) => Promise<unknown>;

// Targets an action changes or removes are made fresh by root, so the cells stay independent.
const freshUser = async (side: Side) => (await services.users.add(root, { username: `u${next()}`, role: 'student', school: school(side), password: 'pass-word-1' })).username;
const freshNas = async (side: Side) => (await services.nas.add(root, `10.9.${next()}.1`, { vendor: 'mikrotik', school: school(side) })).nas.address;
const freshTeacher = async (side: Side) => (await services.accounts.create(root, { username: `t${next()}`, role: 'teacher', school: school(side), password: 'teacher-password' })).username;
const freshDevice = async (side: Side) => {
  const n = next();
  return (await services.devices.add(root, { mac: `02:00:00:00:${String(Math.floor(n / 100)).padStart(2, '0')}:${String(n % 100).padStart(2, '0')}`, role: 'student', school: school(side) })).mac;
};
const freshSession = async (side: Side) => {
  const id = `acct-${next()}`;
  await store.sessions.record({ nas: side === 'own' ? '10.1.0.1' : '10.2.0.1', sessionId: id, status: 'start', user: side === 'own' ? 'ua' : 'ub', role: 'student', school: school(side), inOctets: 0, outOctets: 0 });
  return id;
};

// [action, own school, other school] per principal: root, region, adminA, teacherA, portal, nas.
const F = 403;
const N = 404;
const matrix: [string, Action, Outcome[], Outcome[]][] = [
  ['schools.list', (s, p) => s.schools.list(p), ['ok', 'ok', 'ok', 'ok', F, F], ['ok', 'ok', 'ok', 'ok', F, F]],
  ['schools.add', (s, p) => s.schools.add(p, { id: `new-${next()}`, name: 'New school' }), ['ok', 'ok', F, F, F, F], ['ok', 'ok', F, F, F, F]],
  ['schools.set', (s, p, side) => s.schools.set(p, school(side), { name: `Renamed ${next()}` }), ['ok', 'ok', F, F, F, F], ['ok', 'ok', F, F, F, F]],
  ['nas.list', (s, p) => s.nas.list(p), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', 'ok', F, F, F]],
  ['nas.add', (s, p, side) => s.nas.add(p, `10.8.${next()}.1`, { vendor: 'chilli', school: school(side) }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['nas.set', async (s, p, side) => s.nas.set(p, await freshNas(side), { name: 'Hall' }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['nas.remove', async (s, p, side) => s.nas.remove(p, await freshNas(side)), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['users.add', (s, p, side) => s.users.add(p, { username: `n${next()}`, role: 'student', school: school(side) }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['users.import', async (s, p, side) => {
    const report = await s.users.import(p, `username,role,school\nimp${next()},student,${school(side)}\n`, { dryRun: false });
    // A line of another school is refused in the report (nothing imported), counted here as 403.
    if (report.errors.length > 0) throw Object.assign(new Error(report.errors[0]!.error), { statusCode: 403, created: report.created });
    return report;
  }, ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['users.list', (s, p, side) => s.users.list(p, { school: school(side) }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['users.get', (s, p, side) => s.users.get(p, side === 'own' ? 'ua' : 'ub'), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['users.disable', async (s, p, side) => s.users.setStatus(p, await freshUser(side), 'disabled'), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['users.resetPassword', async (s, p, side) => s.users.resetPassword(p, await freshUser(side), 'new-pass-word'), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['users.setExpiry', async (s, p, side) => s.users.setExpiry(p, await freshUser(side), '2030-01-01'), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['accounts.create teacher', (s, p, side) => s.accounts.create(p, { username: `c${next()}`, role: 'teacher', school: school(side), password: 'teacher-password' }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['accounts.create school-admin', (s, p, side) => s.accounts.create(p, { username: `c${next()}`, role: 'school-admin', school: school(side), password: 'admin-password' }), ['ok', 'ok', F, F, F, F], ['ok', 'ok', F, F, F, F]],
  ['accounts.list', (s, p) => s.accounts.list(p), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', 'ok', F, F, F]],
  ['accounts.disable teacher', async (s, p, side) => s.accounts.setStatus(p, await freshTeacher(side), 'disabled'), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['accounts.resetPassword teacher', async (s, p, side) => s.accounts.resetPassword(p, await freshTeacher(side), 'another-password'), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['policies.view global', (s, p) => s.policies.view(p, 'student'), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', 'ok', F, F, F]],
  ['policies.view school', (s, p, side) => s.policies.view(p, 'student', school(side)), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['policies.set global', (s, p) => s.policies.set(p, 'student', undefined, { downRate: 5_000_000 }, []), ['ok', 'ok', F, F, F, F], ['ok', 'ok', F, F, F, F]],
  ['policies.set school', (s, p, side) => s.policies.set(p, 'student', school(side), { upRate: 1_000_000 }, []), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['devices.list', (s, p, side) => s.devices.list(p, school(side)), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['devices.add', (s, p, side) => s.devices.add(p, { mac: `06:00:00:00:00:${String(next() % 100).padStart(2, '0')}`, role: 'student', school: school(side) }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['devices.forget', async (s, p, side) => s.devices.forget(p, await freshDevice(side)), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['vouchers.issue guest', (s, p, side) => s.vouchers.issue(p, { role: 'guest', school: school(side), duration: 3600, uses: 1, count: 1 }), ['ok', 'ok', 'ok', 'ok', F, F], ['ok', 'ok', F, F, F, F]],
  ['vouchers.issue student', (s, p, side) => s.vouchers.issue(p, { role: 'student', school: school(side), duration: 3600, uses: 1, count: 1 }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['vouchers.issue a week', (s, p, side) => s.vouchers.issue(p, { role: 'guest', school: school(side), duration: 7 * 86_400, uses: 1, count: 1 }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['vouchers.list', (s, p) => s.vouchers.list(p), ['ok', 'ok', 'ok', 'ok', F, F], ['ok', 'ok', 'ok', 'ok', F, F]],
  ['sessions.list', (s, p, side) => s.sessions.list(p, { school: school(side) }), ['ok', 'ok', 'ok', 'ok', F, F], ['ok', 'ok', F, F, F, F]],
  ['sessions.kick', async (s, p, side) => s.sessions.kick(p, await freshSession(side)), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
  ['audit.list', (s, p, side) => s.audit.list(p, { school: school(side) }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['content.importCategory', (s, p) => s.content.importCategory(p, `cat-${next()}`, 'games.example\n', false), ['ok', 'ok', F, F, F, F], ['ok', 'ok', F, F, F, F]],
  ['content.listCategories', (s, p) => s.content.listCategories(p), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', 'ok', F, F, F]],
  ['content.setProfile global', (s, p) => s.content.setProfile(p, 'lessons', undefined, { safeSearch: true }), ['ok', 'ok', F, F, F, F], ['ok', 'ok', F, F, F, F]],
  ['content.setProfile school', (s, p, side) => s.content.setProfile(p, 'lessons', school(side), { youtube: 'strict' }), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['content.listProfiles', (s, p) => s.content.listProfiles(p), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', 'ok', F, F, F]],
  ['content.addNetwork', (s, p, side) => s.content.addNetwork(p, `10.7.${next()}.0/24`, school(side), 'safe'), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', F, F, F, F]],
  ['content.listNetworks', (s, p) => s.content.listNetworks(p), ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', 'ok', F, F, F]],
  ['content.removeNetwork', async (s, p, side) => {
    const { network } = await services.content.addNetwork(root, `10.6.${next()}.0/24`, school(side), 'safe');
    return s.content.removeNetwork(p, network);
  }, ['ok', 'ok', 'ok', F, F, F], ['ok', 'ok', N, F, F, F]],
];

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
  await migrate(redis);
  store = createStore(redis);
  services = createServices({ store, enforcer, admit: () => Promise.reject(new Error('no admission in this test')) });
  for (const id of ['sch-a', 'sch-b']) await services.schools.add(root, { id, name: `School ${id}` });
  await services.nas.add(root, '10.1.0.1', { vendor: 'mikrotik', school: 'sch-a' });
  await services.nas.add(root, '10.2.0.1', { vendor: 'mikrotik', school: 'sch-b' });
  await services.users.add(root, { username: 'ua', role: 'student', school: 'sch-a', password: 'pass-word-a' });
  await services.users.add(root, { username: 'ub', role: 'student', school: 'sch-b', password: 'pass-word-b' });
  await services.users.add(root, { username: 'tb', role: 'teacher', school: 'sch-b', password: 'pass-word-b' });
  await services.accounts.create(root, { username: 'admin-b', role: 'school-admin', school: 'sch-b', password: 'admin-b-password' });
  await services.vouchers.issue(root, { role: 'guest', school: 'sch-b', duration: 3600, uses: 1, count: 2 });
  await freshDevice('other');
  await services.content.setProfile(root, 'lessons', 'sch-b', { allowOnly: true });
  await services.content.addNetwork(root, '10.5.0.0/24', 'sch-b', 'safe');
  await freshSession('other');
  await store.sessions.record({ nas: '10.1.0.1', sessionId: 'teacher-own', status: 'start', user: 'ta', role: 'teacher', school: 'sch-a', inOctets: 0, outOctets: 0 });
});
afterAll(async () => {
  await server?.close();
});

describe('the permission matrix', () => {
  const cells = matrix.flatMap(([name, action, own, other]) => Object.keys(principals).flatMap((who, index) => [
    [name, who, 'own', own[index]!, action] as const,
    [name, who, 'other', other[index]!, action] as const,
  ]));

  it.each(cells)('%s as %s on its %s school: %s', async (_name, who, side, expected, action) => {
    const outcome = await action(services, principals[who]!, side).then(
      (result) => ({ status: 'ok' as const, result }),
      (error: { statusCode?: number; code?: string; message: string }) => ({ status: error.statusCode ?? 500, message: `${error.code}: ${error.message}` }),
    );
    expect(outcome.status, 'message' in outcome ? outcome.message : '').toBe(expected);
    if (outcome.status === 'ok' && CONFINED.has(who)) expect(JSON.stringify(outcome.result) ?? '').not.toMatch(/sch-b|"ub"|"tb"|admin-b/);
  });
});

describe('what scope hides and narrows', () => {
  it('answers another school\'s user exactly as a user that does not exist', async () => {
    const hidden = await services.users.get(principals.adminA!, 'ub').catch((error: Error) => error.message);
    const absent = await services.users.get(principals.adminA!, 'nobody').catch((error: Error) => error.message);
    expect(hidden).toBe('user "ub" does not exist');
    expect(absent).toBe('user "nobody" does not exist');
  });

  it('gives a school admin their own school when none is named, and audits who and from where', async () => {
    const added = await services.users.add(principals.adminA!, { username: 'implicit', role: 'student' });
    expect(added.school).toBe('sch-a');
    const [entry] = await services.audit.list(root, { action: 'user.add', count: 1 });
    expect(entry).toMatchObject({ actor: 'account:admin-a', source: '192.0.2.11', target: 'implicit', school: 'sch-a' });
    expect((await services.users.list(principals.adminA!)).every((user) => user.school === 'sch-a')).toBe(true);
    expect((await services.audit.list(principals.adminA!, { count: 500 })).every((entry) => entry.school === 'sch-a')).toBe(true);
  });

  it("shows a teacher only the students' sessions of their school, and refuses other roles", async () => {
    const sessions = await services.sessions.list(principals.teacherA!);
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((session) => session.role === 'student' && session.school === 'sch-a')).toBe(true);
    await expect(services.sessions.list(principals.teacherA!, { role: 'teacher' })).rejects.toMatchObject({ statusCode: 403 });
  });

  it('kicks by the Acct-Session-Id that session list shows, and records who asked and from where', async () => {
    const id = await freshSession('own');
    const result = await services.sessions.kick(principals.region!, id);
    expect(result).toEqual({ session: `10.1.0.1|${id}`, action: 'disconnect', outcome: 'ack' });
    const [entry] = await services.audit.list(root, { action: 'session.kick', count: 1 });
    expect(entry).toMatchObject({ actor: 'account:region', source: '192.0.2.10', target: `10.1.0.1|${id}`, school: 'sch-a' });
    await expect(services.sessions.kick(root, 'no-such-session')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('leaves one searchable info line per refusal, naming who and what', async () => {
    const lines: { entry: object; message: string }[] = [];
    const logged = createServices({ store, enforcer, admit: () => Promise.reject(new Error('unused')), log: { info: (entry: object, message: string) => lines.push({ entry, message }) } as never });
    await expect(logged.users.get(principals.adminA!, 'ub')).rejects.toMatchObject({ statusCode: 404 });
    await expect(logged.schools.add(principals.teacherA!, { id: 'nope', name: 'Nope' })).rejects.toMatchObject({ statusCode: 403 });
    await logged.users.get(principals.adminA!, 'ua');
    expect(lines).toEqual([
      { entry: { actor: 'account:admin-a', action: 'users.get', code: 'MK_ERR_NOT_FOUND' }, message: 'users.get refused' },
      { entry: { actor: 'account:teacher-a', action: 'schools.add', code: 'MK_ERR_FORBIDDEN' }, message: 'schools.add refused' },
    ]);
  });

  it('lets an account change its own password only with the current one, and nobody else change theirs that way', async () => {
    await services.accounts.create(root, { username: 'teacher-a', role: 'teacher', school: 'sch-a', password: 'first-password' });
    await expect(services.accounts.changeOwnPassword(principals.teacherA!, 'wrong-password', 'second-password')).rejects.toMatchObject({ statusCode: 400 });
    await services.accounts.changeOwnPassword(principals.teacherA!, 'first-password', 'second-password');
    expect(await verifyPassword('second-password', (await store.accounts.get('teacher-a'))!.passwordHash)).toBe(true);
    expect((await store.accounts.get('teacher-a'))!.passwordChangedAt).toBeDefined();
    for (const who of ['root', 'portal', 'nas']) {
      await expect(services.accounts.changeOwnPassword(principals[who]!, 'x', 'second-password')).rejects.toMatchObject({ statusCode: 403 });
    }
  });

  it('lets a school admin manage only teachers, not another admin of their school', async () => {
    await services.accounts.create(root, { username: 'admin-a2', role: 'school-admin', school: 'sch-a', password: 'admin-a2-password' });
    await expect(services.accounts.setStatus(principals.adminA!, 'admin-a2', 'disabled')).rejects.toMatchObject({ statusCode: 403 });
  });
});
