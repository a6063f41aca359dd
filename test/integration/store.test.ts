import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { verifyPassword } from '../../src/security/password.js';
import { createStore, type Store } from '../../src/store/index.js';
import { keys } from '../../src/store/keys.js';
import { migrate, SCHEMA_VERSION, sessionSecret } from '../../src/store/schema.js';
import { importUsers } from '../../src/store/user-import.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;
let store: Store;
const actor = 'test:admin';

beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  await server.flush();
  redis = server.client();
  await migrate(redis);
  store = createStore(redis);
  await store.schools.add({ id: 'sch-12', name: 'School No. 12', timezone: 'Asia/Almaty' }, actor);
});

describe('schema', () => {
  it('starts with the four built-in roles and records its layout version', async () => {
    expect(await store.roles.list()).toEqual(['guest', 'staff', 'student', 'teacher']);
    expect(await redis.get(keys.schemaVersion)).toBe(String(SCHEMA_VERSION));
  });

  it('refuses data written by a newer Mektep instead of misreading it', async () => {
    await redis.set(keys.schemaVersion, SCHEMA_VERSION + 1);
    await expect(migrate(redis)).rejects.toThrow(/newer Mektep/);
  });

  it('generates the session secret once and keeps it', async () => {
    const first = await sessionSecret(redis, undefined);
    expect(first.length).toBeGreaterThanOrEqual(64);
    expect(await sessionSecret(redis, undefined)).toBe(first);
    expect(await sessionSecret(redis, 'x'.repeat(40))).toBe('x'.repeat(40));
  });
});

describe('schools and NAS clients', () => {
  it('refuses a duplicate school and an unknown time zone', async () => {
    await expect(store.schools.add({ id: 'sch-12', name: 'Again' }, actor)).rejects.toThrow(/already exists/);
    await expect(store.schools.add({ id: 'sch-13', name: 'X', timezone: 'Mars/Olympus' }, actor)).rejects.toThrow(/not a known time zone/);
    await expect(store.schools.add({ id: 'Bad Id', name: 'X' }, actor)).rejects.toThrow(/lowercase letters/);
  });

  it('stores a NAS under its canonical address with every setting, and updates only what is named', async () => {
    await store.nas.add('10.12.0.0/16', { secret: 'sharedsecret1', vendor: 'chilli', school: 'sch-12', nasId: 'chilli-12' }, actor);
    await expect(store.nas.add('10.12.0.0/16', { secret: 'sharedsecret1', vendor: 'chilli' }, actor)).rejects.toThrow(/already exists/);
    const changed = await store.nas.update('10.12.0.0/16', { uamSecret: 'uamsecret99', requireMessageAuthenticator: false, coaPort: 3799 }, actor);
    expect(changed).toMatchObject({ address: '10.12.0.0/16', secret: 'sharedsecret1', vendor: 'chilli', school: 'sch-12', nasId: 'chilli-12', uamSecret: 'uamsecret99', requireMessageAuthenticator: false });
    await expect(store.nas.add('10.13.0.1', { secret: 'sharedsecret1', vendor: 'chilli', school: 'nowhere' }, actor)).rejects.toThrow(/school "nowhere" does not exist/);
    await expect(store.nas.add('10.13.0.1', { secret: 'abc', vendor: 'chilli' }, actor)).rejects.toThrow(/6-128 bytes/);
    await expect(store.nas.add('10.13.0.1', { secret: 'sharedsecret1', vendor: 'netgear' as never }, actor)).rejects.toThrow(/not one of mikrotik/);
    await store.nas.remove('10.12.0.0/16', actor);
    expect(await store.nas.list()).toEqual([]);
    await expect(store.nas.remove('10.12.0.0/16', actor)).rejects.toThrow(/does not exist/);
  });
});

describe('users', () => {
  it('keeps only a scrypt hash of the password, and usernames are case-insensitive', async () => {
    await store.users.add({ username: 'Aigerim.S', password: 'qwerty123', role: 'student', school: 'sch-12', name: 'Айгерим С.' }, actor);
    const stored = await redis.hgetall(keys.user('aigerim.s'));
    expect(JSON.stringify(stored)).not.toContain('qwerty123');
    expect(await verifyPassword('qwerty123', stored.passwordHash!)).toBe(true);
    await expect(store.users.add({ username: 'AIGERIM.S', password: 'qwerty123', role: 'student' }, actor)).rejects.toThrow(/already exists/);
    expect((await store.users.get('AIGERIM.s'))?.name).toBe('Айгерим С.');
  });

  it('refuses bad input with a reason', async () => {
    await expect(store.users.add({ username: 'a b', password: 'qwerty123', role: 'student' }, actor)).rejects.toThrow(/username/);
    await expect(store.users.add({ username: 'aa:bb:cc:dd:ee:ff', password: 'qwerty123', role: 'student' }, actor)).rejects.toThrow(/MAC address/);
    await expect(store.users.add({ username: 'AA-BB-CC-DD-EE-FF', password: 'qwerty123', role: 'student' }, actor)).rejects.toThrow(/MAC address/);
    await expect(store.users.add({ username: 'x', password: '123', role: 'student' }, actor)).rejects.toThrow(/at least 6/);
    await expect(store.users.add({ username: 'x', password: 'qwerty123', role: 'wizard' }, actor)).rejects.toThrow(/role "wizard" does not exist/);
    await expect(store.accounts.add({ username: 'x', password: 'qwerty1234', role: 'teacher' }, actor)).rejects.toThrow(/a teacher belongs to a school$/);
    await expect(store.accounts.add({ username: 'x', password: 'short1234', role: 'region-admin' }, actor)).rejects.toThrow(/at least 10/);
  });

  it('disables, enables and changes passwords, each in the audit log', async () => {
    await store.users.add({ username: 'dana', password: 'qwerty123', role: 'teacher', school: 'sch-12' }, actor);
    await store.users.setStatus('dana', 'disabled', 'cli:root');
    expect((await store.users.get('dana'))?.status).toBe('disabled');
    await store.users.setPassword('dana', 'new-password', 'cli:root');
    expect(await verifyPassword('new-password', (await store.users.get('dana'))!.passwordHash)).toBe(true);
    const audit = await store.audit.recent(3);
    expect(audit.map((entry) => [entry.action, entry.target, entry.actor])).toEqual([
      ['user.passwd', 'dana', 'cli:root'],
      ['user.disable', 'dana', 'cli:root'],
      ['user.add', 'dana', actor],
    ]);
    expect(Date.now() - Date.parse(audit[0]!.at)).toBeLessThan(60_000);
    await expect(store.users.setStatus('nobody', 'disabled', actor)).rejects.toThrow(/does not exist/);
  });

  it('lists users by school without their hashes', async () => {
    await store.users.add({ username: 'a1', password: 'qwerty123', role: 'student', school: 'sch-12' }, actor);
    await store.users.add({ username: 'b1', password: 'qwerty123', role: 'guest' }, actor);
    expect((await store.users.list('sch-12')).map((user) => user.username)).toEqual(['a1']);
    const all = await store.users.list();
    expect(all.map((user) => user.username)).toEqual(['a1', 'b1']);
    expect(JSON.stringify(all)).not.toContain('scrypt');
  });
});

describe('CSV import', () => {
  const header = 'username,name,role,school,password\n';

  it('imports every line, generating empty passwords once', async () => {
    const report = await importUsers(store.users, `${header}s1,Student One,student,sch-12,\n"s2","Two, Jr.",student,sch-12,pass-word2\n`, { dryRun: false, actor });
    expect(report).toMatchObject({ created: 2, errors: [] });
    expect(report.generated.map((entry) => entry.username)).toEqual(['s1']);
    const s1 = await store.users.get('s1');
    expect(await verifyPassword(report.generated[0]!.password, s1!.passwordHash)).toBe(true);
    expect((await store.users.get('s2'))?.name).toBe('Two, Jr.');
  });

  it('writes nothing when any line is bad, and reports every bad line', async () => {
    await store.users.add({ username: 'taken', password: 'qwerty123', role: 'student' }, actor);
    const csv = `${header}ok1,,student,sch-12,\nbad user,,student,,\nok2,,wizard,,\ntaken,,student,,\nok1,,student,,\nok3,,student,nowhere,\nok4,,student,,123\n`;
    const report = await importUsers(store.users, csv, { dryRun: false, actor });
    expect(report.created).toBe(0);
    expect(report.errors.map((error) => [error.line, error.error.replace(/ \(.*$/, '')])).toEqual([
      [3, expect.stringMatching(/username "bad user"/)],
      [4, 'role "wizard" does not exist'],
      [5, 'user "taken" already exists'],
      [6, 'username "ok1" is also on line 2'],
      [7, 'school "nowhere" does not exist'],
      [8, 'the password must have at least 6 characters'],
    ]);
    expect((await store.users.list()).map((user) => user.username)).toEqual(['taken']);
  });

  it('a dry run checks everything and writes nothing', async () => {
    const report = await importUsers(store.users, `${header}d1,,student,,\n`, { dryRun: true, actor });
    expect(report).toMatchObject({ dryRun: true, created: 1, errors: [] });
    expect(await store.users.get('d1')).toBeUndefined();
  });

  it('refuses a file with a wrong header, or none', async () => {
    await expect(importUsers(store.users, 'login,role\nx,student\n', { dryRun: false, actor })).rejects.toThrow(/unknown column "login".*missing "username"/);
    await expect(importUsers(store.users, header, { dryRun: false, actor })).rejects.toThrow(/no records/);
    await expect(importUsers(store.users, `${header}"unclosed,student\n`, { dryRun: false, actor })).rejects.toThrow(/not valid CSV/);
  });
});

describe('policies', () => {
  it('merges a school override over the global policy field by field', async () => {
    await store.policies.set('student', undefined, { downRate: 5e6, upRate: 1e6, dailyQuota: 2e9 }, [], actor);
    await store.policies.set('student', 'sch-12', { downRate: 2e6 }, [], actor);
    const view = await store.policies.view('student', 'sch-12');
    expect(view).toEqual({ role: 'student', school: 'sch-12', effective: { downRate: 2e6, upRate: 1e6, dailyQuota: 2e9 }, overridden: ['downRate'] });
    await store.policies.set('student', 'sch-12', {}, ['downRate'], actor);
    expect((await store.policies.view('student', 'sch-12')).effective.downRate).toBe(5e6);
  });

  it('stores every field of the model and refuses invalid values without storing them', async () => {
    const schedule = [{ days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '17:00' }];
    await store.policies.set('guest', undefined, { schedule, deviceLimitMode: 'evict-oldest', maxDevices: 1, vlan: 300 }, [], actor);
    expect((await store.policies.view('guest')).effective).toEqual({ schedule, deviceLimitMode: 'evict-oldest', maxDevices: 1, vlan: 300 });
    await expect(store.policies.set('guest', undefined, { dailyQuota: -5 }, [], actor)).rejects.toThrow(/dailyQuota/);
    await expect(store.policies.set('wizard', undefined, { dailyQuota: 5 }, [], actor)).rejects.toThrow(/role "wizard" does not exist/);
    expect((await store.policies.view('guest')).effective.dailyQuota).toBeUndefined();
  });

  it('gives a new role no limits until one is set', async () => {
    await store.roles.add('library', actor);
    expect(await store.policies.view('library')).toEqual({ role: 'library', effective: {}, overridden: [] });
    await expect(store.roles.add('library', actor)).rejects.toThrow(/already exists/);
  });
});

describe('persistence', () => {
  it('keeps every entity across a restart of redis-server (append-only file)', async () => {
    await store.nas.add('10.12.1.1', { secret: 'sharedsecret1', vendor: 'mikrotik', school: 'sch-12' }, actor);
    await store.users.add({ username: 'kept', password: 'qwerty123', role: 'student', school: 'sch-12' }, actor);
    await store.policies.set('student', undefined, { downRate: 3e6 }, [], actor);
    redis.disconnect();
    await server.stop();
    await server.start();
    const after = createStore(server.client());
    expect((await after.schools.get('sch-12'))?.name).toBe('School No. 12');
    expect((await after.nas.get('10.12.1.1'))?.secret).toBe('sharedsecret1');
    expect((await after.users.get('kept'))?.school).toBe('sch-12');
    expect((await after.policies.view('student')).effective.downRate).toBe(3e6);
    expect((await after.audit.recent(10)).length).toBeGreaterThanOrEqual(4);
  });
});
