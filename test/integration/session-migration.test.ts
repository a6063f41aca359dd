// A data directory from the previous release: its session table (plain sets as indexes, one set
// per NAS, CIDR sessions keyed without their AP) is migrated at start-up and keeps working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/schema.js';
import { FIELD } from '../../src/store/session-fields.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let store: Store;
const now = Date.now();

/** A session as layout 1 wrote it: hash, set indexes (the NAS's among them), address keys. */
async function layoutOneSession(nas: string, sessionId: string, fields: Record<string, string>, updatedAt: number): Promise<void> {
  const redis = server.client();
  const id = `${nas}|${sessionId}`;
  const key = `mk:session:${encodeURIComponent(id)}`;
  const indexes = [`mk:sessions-of-nas:${encodeURIComponent(nas)}`];
  if (fields.user) indexes.push(`mk:sessions-of-user:${fields.user}`);
  if (fields.school) indexes.push(`mk:sessions-of-school:${fields.school}`);
  const ipKey = fields.ip ? `mk:session-ip:${encodeURIComponent(nas)}:${fields.ip}` : '';
  await redis.hset(key, { nas, sessionId, inOctets: '1000', outOctets: '2000', startedAt: String(updatedAt - 60_000), updatedAt: String(updatedAt), indexes: JSON.stringify(indexes), ipKey, ipAnyKey: fields.ip ? `mk:session-ip-any:${fields.ip}` : '', ...fields });
  await redis.expire(key, 24 * 3600);
  for (const set of [...indexes, 'mk:sessions']) await redis.sadd(set, id);
  if (fields.ip) {
    await redis.set(ipKey, id, 'EX', 24 * 3600);
    await redis.set(`mk:session-ip-any:${fields.ip}`, id, 'EX', 24 * 3600);
  }
}

beforeAll(async () => {
  server = await startTestRedis();
  const redis = server.client();
  await redis.set('mk:schema', '1');
  await redis.sadd('mk:roles', 'student', 'teacher', 'guest', 'staff');
  await layoutOneSession('10.20.0.1', 'old-1', { user: 'asel', school: 'sch-20', role: 'student', ip: '10.20.5.1', nasIp: '10.20.0.1', userName: 'asel' }, now - 60_000);
  await layoutOneSession('10.21.0.0/24', 'old-2', { school: 'sch-20', nasIp: '10.21.0.7', ip: '10.21.5.1' }, now - 30_000);
  // Layout 1 charged a bare User-Name (no Class, so no role) to that user: no longer.
  await layoutOneSession('10.20.0.1', 'old-3', { user: 'asel', school: 'sch-20', nasIp: '10.20.0.1' }, now - 10_000);
  // A member whose hash expired without a Stop: it must not survive the migration.
  await redis.sadd('mk:sessions', '10.20.0.1|gone');
  await redis.sadd('mk:sessions-of-user:asel', '10.20.0.1|gone');
  await migrate(redis);
  store = createStore(redis);
});
afterAll(async () => {
  await server.close();
});

describe('session table migration from layout 1', () => {
  it('turns every index into a sorted set by last update, with an expiry, dropping sessions gone', async () => {
    const redis = server.client();
    expect(await redis.type('mk:sessions')).toBe('zset');
    expect(new Set(await redis.zrange('mk:sessions', 0, -1))).toEqual(new Set(['10.20.0.1|old-1', '10.20.0.1|old-3', '10.21.0.0/24|10.21.0.7|old-2']));
    expect(Number(await redis.zscore('mk:sessions-of-user:asel', '10.20.0.1|old-1'))).toBe(now - 60_000);
    expect(await redis.zrange('mk:sessions-of-user:asel', 0, -1)).toEqual(['10.20.0.1|old-1']);
    expect(await redis.hget('mk:session:10.20.0.1%7Cold-3', FIELD.user)).toBeNull();
    expect(await redis.hget('mk:session:10.20.0.1%7Cold-3', FIELD.sessionId)).toBe('old-3');
    expect(await redis.ttl('mk:sessions-of-user:asel')).toBeGreaterThan(0);
    expect(await redis.exists('mk:sessions-of-nas:10.20.0.1')).toBe(0);
    expect(await redis.zrange('mk:sessions-of-ap:10.20.0.1:10.20.0.1', 0, -1)).toEqual(['10.20.0.1|old-1', '10.20.0.1|old-3']);
  });

  it('finds, updates and closes the migrated sessions as new ones, without counting their totals again', async () => {
    expect(await store.sessions.list({ user: 'asel' })).toMatchObject([{ id: '10.20.0.1|old-1', inOctets: 1000 }]);
    const cidr = await store.sessions.byIp('10.21.0.0/24', '10.21.5.1');
    expect(cidr).toMatchObject({ id: '10.21.0.0/24|10.21.0.7|old-2', sessionId: 'old-2' });
    expect(await store.sessions.byId(cidr!.id)).toMatchObject({ sessionId: 'old-2' });

    const periods = { day: '2026-12-01', month: '2026-12' };
    const usage = await store.sessions.record({ nas: '10.20.0.1', nasIp: '10.20.0.1', sessionId: 'old-1', status: 'interim', user: 'asel', school: 'sch-20', role: 'student', ip: '10.20.5.1', inOctets: 1500, outOctets: 2000, periods });
    expect(usage.today).toBe(500);
    const closed = await store.sessions.closeAccessPoint({ nas: '10.21.0.0/24', ap: '10.21.0.7' }, Date.now(), 'NAS-Reboot');
    expect(closed).toEqual({ closed: 1, joined: false });
    expect((await store.sessions.list()).map((session) => session.id)).toEqual(['10.20.0.1|old-1', '10.20.0.1|old-3']);
  });
});
