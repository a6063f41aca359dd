// Upgrading data written before console accounts existed: users that `mektep admin create` made
// (a console role on a Wi-Fi user) become accounts, and lose the Wi-Fi login nobody asked for.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/security/password.js';
import { createStore } from '../../src/store/index.js';
import { migrate, SCHEMA_VERSION } from '../../src/store/schema.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
  // The keys exactly as layout 1 wrote them.
  const hash = await hashPassword('director-password');
  await redis.set('mk:schema', '1');
  await redis.sadd('mk:roles', 'student', 'teacher', 'staff', 'guest');
  await redis.hset('mk:school:sch-1', { id: 'sch-1', name: 'School 1', timezone: 'Asia/Almaty', mschapv2: '0', createdAt: '2026-01-01T00:00:00.000Z' });
  await redis.sadd('mk:schools', 'sch-1');
  await redis.hset('mk:user:director', { username: 'director', name: 'Director', role: 'staff', status: 'active', passwordHash: hash, consoleRole: 'region-admin', createdAt: '2026-01-02T00:00:00.000Z' });
  await redis.hset('mk:user:aliya', { username: 'aliya', name: 'Aliya', role: 'teacher', school: 'sch-1', status: 'disabled', passwordHash: hash, consoleRole: 'teacher', createdAt: '2026-01-03T00:00:00.000Z' });
  await redis.hset('mk:user:madi', { username: 'madi', name: 'Madi', role: 'student', school: 'sch-1', status: 'active', passwordHash: hash, createdAt: '2026-01-04T00:00:00.000Z' });
  await redis.sadd('mk:users', 'director', 'aliya', 'madi');
  await redis.sadd('mk:users-of:sch-1', 'aliya', 'madi');
});
afterAll(async () => {
  await server?.close();
});

describe('migration to console accounts', () => {
  it('moves console users to accounts with their password, removes their Wi-Fi login, keeps everyone else', async () => {
    expect(await migrate(redis)).toBe(SCHEMA_VERSION);
    const store = createStore(redis);
    expect(await store.accounts.list()).toEqual([
      { username: 'aliya', name: 'Aliya', role: 'teacher', school: 'sch-1', status: 'disabled', createdAt: '2026-01-03T00:00:00.000Z' },
      { username: 'director', name: 'Director', role: 'region-admin', status: 'active', createdAt: '2026-01-02T00:00:00.000Z' },
    ]);
    expect(await verifyPassword('director-password', (await store.accounts.get('director'))!.passwordHash)).toBe(true);
    expect(await store.users.get('director')).toBeUndefined();
    expect(await store.users.get('aliya')).toBeUndefined();
    expect((await store.users.list()).map((user) => user.username)).toEqual(['madi']);
    expect(await redis.smembers('mk:users-of:sch-1')).toEqual(['madi']);
    const audit = await store.audit.list({ actor: 'mektep:upgrade', count: 10 });
    expect(audit.map((entry) => `${entry.action} ${entry.target}`).sort()).toEqual(['account.migrate aliya', 'account.migrate director', 'user.remove aliya', 'user.remove director']);
    expect(audit.find((entry) => entry.action === 'account.migrate' && entry.target === 'aliya')).toMatchObject({ school: 'sch-1', detail: { wifi: 'removed', networkRole: 'teacher' } });
  });

  it('runs once: a second start changes nothing', async () => {
    const before = await redis.xlen('mk:audit');
    await migrate(redis);
    expect(await redis.xlen('mk:audit')).toBe(before);
  });
});
