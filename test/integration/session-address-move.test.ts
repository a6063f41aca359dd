// A session whose Framed-IP changes leaves its old address keys (review finding 2): the device
// that gets the old address next must not be taken for the first person (/status, /logout, byIp),
// and a NAS that changes the address on every record must not leave two keys per record.
import { beforeEach, expect, it } from 'vitest';
import { useTestStore } from '../helpers/redis.js';

const NAS = '10.0.0.1';
const periods = { day: '2026-12-01', month: '2026-12' };
const alice = { nas: NAS, sessionId: 'move-1', user: 'alice', role: 'student', school: 'sch1', mac: '02:00:5e:14:02:01', periods };

const db = useTestStore();
beforeEach(() => db.redis.flushdb());

const addressKeys = async () => [...(await db.redis.keys('mk:session-ip*')), ...(await db.redis.keys('mk:addr:*')), ...(await db.redis.keys('mk:ips*'))].sort();

it('forgets the old address when a session moves, for both the NAS-scoped and the any-NAS lookup', async () => {
  await db.store.sessions.record({ ...alice, status: 'start', ip: '192.168.1.10', inOctets: 0, outOctets: 0 });
  await db.store.sessions.record({ ...alice, status: 'interim', ip: '192.168.1.11', inOctets: 100, outOctets: 100 });
  await db.store.sessions.record({ ...alice, status: 'interim', ip: '192.168.1.12', inOctets: 200, outOctets: 200 });

  for (const ip of ['192.168.1.10', '192.168.1.11']) {
    expect(await db.store.sessions.byIp(undefined, ip)).toBeUndefined();
    expect(await db.store.sessions.byIp(NAS, ip)).toBeUndefined();
  }
  expect((await db.store.sessions.byIp(undefined, '192.168.1.12'))?.user).toBe('alice');
  // The block of 192.168.1.0–63 (its NAS's hash and the any-NAS one, 64 addresses each): only .12's fields are left.
  expect(await addressKeys()).toEqual(['mk:ips-any:192.168.1.0', `mk:ips:${NAS}:192.168.1.0`]);
  expect(await db.redis.hgetall(`mk:ips:${NAS}:192.168.1.0`)).toEqual({ '12': 'move-1' });
  expect(await db.redis.hgetall('mk:ips-any:192.168.1.0')).toEqual({ '12': `${NAS}|move-1` });
  for (const key of await addressKeys()) expect(await db.redis.ttl(key)).toBeGreaterThan(0);
});

it('leaves the old address to the session that took it meanwhile', async () => {
  await db.store.sessions.record({ ...alice, status: 'start', ip: '192.168.1.10', inOctets: 0, outOctets: 0 });
  // Bob's device gets .10 (his NAS reported it first), then Alice's session reports its move.
  await db.store.sessions.record({ nas: NAS, sessionId: 'move-2', user: 'bob', role: 'student', status: 'start', ip: '192.168.1.10', inOctets: 0, outOctets: 0, periods });
  await db.store.sessions.record({ ...alice, status: 'interim', ip: '192.168.1.11', inOctets: 100, outOctets: 100 });

  expect((await db.store.sessions.byIp(undefined, '192.168.1.10'))?.user).toBe('bob');
  expect((await db.store.sessions.byIp(NAS, '192.168.1.10'))?.user).toBe('bob');
  expect((await db.store.sessions.byIp(NAS, '192.168.1.11'))?.user).toBe('alice');
});

it('keeps one address entry however often the address changes', async () => {
  await db.store.sessions.record({ ...alice, status: 'start', ip: '10.1.0.1', inOctets: 0, outOctets: 0 });
  for (let i = 2; i <= 50; i++) await db.store.sessions.record({ ...alice, status: 'interim', ip: `10.1.0.${i}`, inOctets: i, outOctets: i });
  expect(await addressKeys()).toEqual(['mk:ips-any:10.1.0.0', `mk:ips:${NAS}:10.1.0.0`]);
  expect(await db.redis.hgetall(`mk:ips:${NAS}:10.1.0.0`)).toEqual({ '50': 'move-1' });
  expect(await db.redis.hgetall('mk:ips-any:10.1.0.0')).toEqual({ '50': `${NAS}|move-1` });
});
