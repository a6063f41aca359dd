// A NAS's live sessions in a block of 64 client addresses are one hash (issue 12, ≤ 1 KB per live
// session): a field per address ('<host>') naming its session (by its id after '<NAS>|'), and the
// block's any-NAS hash names the session that reported each address last. Lookups by address
// behave as the two keys per address did, and data written with those keys (layout 3) or with a
// hash per address (layouts 4 and 5) is moved into the blocks at start-up and keeps working.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { migrate } from '../../src/store/schema.js';
import { FIELD } from '../../src/store/session-fields.js';
import { useTestStore } from '../helpers/redis.js';

const periods = { day: '2026-12-01', month: '2026-12' };
const IP = '192.168.7.20';
// IP's block (a /26: 192.168.7.0–63) and its fields, spelled out here rather than computed.
const BLOCK = (nas: string) => keys.sessionAddressBlock(nas, '192.168.7.0');
const ANY = keys.sessionAddressAnyBlock('192.168.7.0');
const addressKeys = async () => (await db.redis.keys('mk:ips*')).sort();
const alice = { nas: '10.0.0.1', sessionId: 'a-1', user: 'alice', role: 'student', school: 'sch1', mac: '02:00:5e:14:07:01', ip: IP, periods };
const bob = { nas: '10.0.0.2', sessionId: 'b-1', user: 'bob', role: 'student', school: 'sch2', mac: '02:00:5e:14:07:02', ip: IP, periods };

const db = useTestStore();
beforeEach(() => db.redis.flushdb());

describe('the address hash', () => {
  it('answers each NAS its own session and the any-NAS lookup the last to report, and a Stop leaves the others', async () => {
    await db.store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
    await db.store.sessions.record({ ...bob, status: 'start', inOctets: 0, outOctets: 0 });
    expect((await db.store.sessions.byIp(alice.nas, IP))?.user).toBe('alice');
    expect((await db.store.sessions.byIp(bob.nas, IP))?.user).toBe('bob');
    expect((await db.store.sessions.byIp(undefined, IP))?.user).toBe('bob');

    await db.store.sessions.record({ ...bob, status: 'stop', inOctets: 10, outOctets: 10 });
    expect(await db.store.sessions.byIp(bob.nas, IP)).toBeUndefined();
    // As the any-NAS key did: it named Bob's session, so it went with it.
    expect(await db.store.sessions.byIp(undefined, IP)).toBeUndefined();
    expect((await db.store.sessions.byIp(alice.nas, IP))?.user).toBe('alice');
    expect(await db.redis.hgetall(BLOCK(alice.nas))).toEqual({ '20': 'a-1' });
    expect(await addressKeys()).toEqual([BLOCK(alice.nas)]);
    // Alice's NAS reports the address again: the any-NAS lookup answers her, as her key did.
    await db.store.sessions.record({ ...alice, status: 'interim', inOctets: 5, outOctets: 5 }, Date.now() + 11 * 60_000);
    expect((await db.store.sessions.byIp(undefined, IP))?.user).toBe('alice');

    expect(await db.redis.hgetall(ANY)).toEqual({ '20': `${alice.nas}|a-1` });

    await db.store.sessions.record({ ...alice, status: 'stop', inOctets: 10, outOctets: 10 });
    expect(await addressKeys()).toEqual([]);
  });

  it("leaves an address to the session of the same NAS that took it before the first one's Stop", async () => {
    await db.store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
    await db.store.sessions.record({ ...alice, sessionId: 'a-2', user: 'dana', status: 'start', inOctets: 0, outOctets: 0 });
    await db.store.sessions.record({ ...alice, status: 'stop', inOctets: 10, outOctets: 10 });
    expect((await db.store.sessions.byIp(undefined, IP))?.user).toBe('dana');
    expect(await db.redis.hgetall(BLOCK(alice.nas))).toEqual({ '20': 'a-2' });
    expect(await db.redis.hgetall(ANY)).toEqual({ '20': `${alice.nas}|a-2` });
  });

  it("answers each address of a block by its own fields: a lone NAS beside other addresses' fields, a Stop leaving its neighbours", async () => {
    const carol = { ...alice, sessionId: 'c-1', user: 'carol', ip: '192.168.7.21' };
    await db.store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
    await db.store.sessions.record({ ...carol, status: 'start', inOctets: 0, outOctets: 0 });
    await db.store.sessions.record({ ...bob, status: 'start', inOctets: 0, outOctets: 0 });
    expect((await db.store.sessions.byIp(undefined, carol.ip))?.user).toBe('carol');
    expect((await db.store.sessions.byIp(undefined, IP))?.user).toBe('bob');
    expect(await db.redis.hgetall(BLOCK(alice.nas))).toEqual({ '20': 'a-1', '21': 'c-1' });
    expect(await db.redis.hgetall(BLOCK(bob.nas))).toEqual({ '20': 'b-1' });
    expect(await db.redis.hgetall(ANY)).toEqual({ '20': `${bob.nas}|b-1`, '21': `${alice.nas}|c-1` });

    await db.store.sessions.record({ ...carol, status: 'stop', inOctets: 1, outOctets: 1 });
    expect(await db.store.sessions.byIp(undefined, carol.ip)).toBeUndefined();
    expect((await db.store.sessions.byIp(alice.nas, IP))?.user).toBe('alice');
    expect((await db.store.sessions.byIp(undefined, IP))?.user).toBe('bob');
    expect(await db.redis.hgetall(ANY)).toEqual({ '20': `${bob.nas}|b-1` });
    // An address of the next block (192.168.7.64–127) is a hash of its own.
    await db.store.sessions.record({ ...carol, ip: '192.168.7.64', status: 'start', inOctets: 0, outOctets: 0 });
    expect(await db.redis.hgetall(keys.sessionAddressBlock(alice.nas, '192.168.7.64'))).toEqual({ '0': 'c-1' });
    expect(await db.redis.hgetall(keys.sessionAddressAnyBlock('192.168.7.64'))).toEqual({ '0': `${alice.nas}|c-1` });
    expect((await db.store.sessions.byIp(undefined, '192.168.7.64'))?.user).toBe('carol');
    expect(await db.store.sessions.byIp(undefined, '192.168.7.0')).toBeUndefined();
  });

  it('lists an IPv6 address in a /120 of its last group, found, moved and closed as an IPv4 one', async () => {
    const v6 = { ...alice, ip: '2001:db8::1:2a5' };
    await db.store.sessions.record({ ...v6, status: 'start', inOctets: 0, outOctets: 0 });
    expect(await db.redis.hgetall(keys.sessionAddressBlock(alice.nas, '2001:db8::1:200'))).toEqual({ '165': 'a-1' });
    expect(await db.redis.hgetall(keys.sessionAddressAnyBlock('2001:db8::1:200'))).toEqual({ '165': `${alice.nas}|a-1` });
    expect((await db.store.sessions.byIp(undefined, v6.ip))?.user).toBe('alice');
    // Read by the Lua too: a move leaves the old block, a Stop the new one.
    await db.store.sessions.record({ ...v6, ip: '2001:db8::1:301', status: 'interim', inOctets: 1, outOctets: 1 });
    expect(await addressKeys()).toEqual([keys.sessionAddressAnyBlock('2001:db8::1:300'), keys.sessionAddressBlock(alice.nas, '2001:db8::1:300')].sort());
    await db.store.sessions.record({ ...v6, ip: '2001:db8::1:301', status: 'stop', inOctets: 2, outOctets: 2 });
    expect(await addressKeys()).toEqual([]);
  });

  it('finds nothing through a field whose session expired, or came back at another address', async () => {
    await db.store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
    await db.store.sessions.record({ ...bob, status: 'start', inOctets: 0, outOctets: 0 });
    // Alice's session ended without a Stop (its hash expired) while Bob's kept the address hash.
    await db.redis.del(keys.session(`${alice.nas}|a-1`));
    expect(await db.store.sessions.byIp(alice.nas, IP)).toBeUndefined();
    // Its id used again by the NAS, at another address, with nothing stored to leave.
    await db.store.sessions.record({ ...alice, ip: '192.168.7.21', status: 'start', inOctets: 0, outOctets: 0 });
    expect(await db.store.sessions.byIp(alice.nas, IP)).toBeUndefined();
    expect((await db.store.sessions.byIp(alice.nas, '192.168.7.21'))?.user).toBe('alice');
  });
});

// Schools share private address ranges: hundreds of schools' MikroTiks hand out 192.168.88.0/24.
// The block hashes are per NAS (and one for the any-NAS answer), so however many schools use a
// range, none holds more than the 64 addresses of its block: a listpack, a lookup one field of it.
const SCHOOLS = 50;
// 192.168.88.2–.60: one /26 block (192.168.88.0–63).
const HOSTS = Array.from({ length: 59 }, (_, n) => n + 2);
const nasOf = (school: number) => `10.88.${school}.1`;
const ipOf = (host: number) => `192.168.88.${host}`;
const sessionOf = (school: number, host: number) => ({
  nas: nasOf(school), sessionId: `s-${host}`, user: `pupil-${school}-${host}`, role: 'student', school: `school-${school}`, ip: ipOf(host), periods,
});

describe('a private range shared by many schools', () => {
  it(`keeps ${SCHOOLS} schools' sessions over the same private range in address hashes of at most 64 fields, each answering by address`, async () => {
    const start = Date.now();
    for (let school = 0; school < SCHOOLS; school++) {
      for (const host of HOSTS) await db.store.sessions.record({ ...sessionOf(school, host), status: 'start', inOctets: 0, outOctets: 0 }, start);
    }
    // School 7 reports .30 again past the re-indexing window: the last to report it.
    await db.store.sessions.record({ ...sessionOf(7, 30), status: 'interim', inOctets: 5, outOctets: 5 }, start + 11 * 60_000);

    for (let school = 0; school < SCHOOLS; school++) {
      for (const host of HOSTS) expect((await db.store.sessions.byIp(nasOf(school), ipOf(host)))?.user).toBe(`pupil-${school}-${host}`);
    }
    for (const host of HOSTS) {
      expect((await db.store.sessions.byIp(undefined, ipOf(host)))?.user).toBe(host === 30 ? 'pupil-7-30' : `pupil-${SCHOOLS - 1}-${host}`);
    }

    // A hash per school's NAS and the any-NAS one, 59 fields each.
    const blocks = await addressKeys();
    expect(blocks).toHaveLength(SCHOOLS + 1);
    for (const key of blocks) {
      expect(await db.redis.hlen(key), key).toBeLessThanOrEqual(64);
      expect(await db.redis.object('ENCODING', key), key).toBe('listpack');
    }

    // The last reporter's Stop: nobody answers the address alone (as the any-NAS key did), its own NAS's neighbours stay.
    await db.store.sessions.record({ ...sessionOf(7, 30), status: 'stop', inOctets: 6, outOctets: 6 }, start + 12 * 60_000);
    expect(await db.store.sessions.byIp(undefined, ipOf(30))).toBeUndefined();
    expect(await db.store.sessions.byIp(nasOf(7), ipOf(30))).toBeUndefined();
    expect((await db.store.sessions.byIp(nasOf(8), ipOf(30)))?.user).toBe('pupil-8-30');
    expect((await db.store.sessions.byIp(nasOf(7), ipOf(31)))?.user).toBe('pupil-7-31');
  });
});

/** A session as layout 3 wrote it: its names' digest with the MAC set and two address keys, and those keys. */
async function layoutThreeSession(entry: typeof alice): Promise<string> {
  const id = `${entry.nas}|${entry.sessionId}`;
  const indexes = [keys.sessionsOfAp(entry.nas, entry.nas), keys.sessionsOfUser(entry.user), keys.sessionsOfSchool(entry.school), keys.sessionsOfMac(entry.mac)];
  const [ipKey, ipAnyKey] = [keys.sessionByIp(entry.nas, entry.ip), keys.sessionByIpAny(entry.ip)];
  const digest = createHash('sha1').update(`${indexes.join('\n')}\n${ipKey}\n${ipAnyKey}`).digest('hex').slice(0, 12);
  const now = Date.now() - 60_000;
  await db.redis.hset(keys.session(id), {
    nas: entry.nas, sessionId: entry.sessionId, user: entry.user, role: entry.role, school: entry.school, mac: entry.mac, ip: entry.ip,
    inOctets: '100', outOctets: '100', counted: '200', startedAt: String(now), updatedAt: String(now), names: `${digest}usmi`,
  });
  for (const set of [...indexes, keys.sessions]) await db.redis.zadd(set, now, id);
  await db.redis.set(ipKey, id, 'EX', 3600);
  await db.redis.set(ipAnyKey, id, 'EX', 3600);
  return id;
}

describe('layout 3 → 4: sessions stored with two address keys and a set per MAC', () => {
  it('are found by address and device after the upgrade, moved and closed, and leave no older key', async () => {
    await db.redis.set(keys.schemaVersion, '3');
    const id = await layoutThreeSession(alice);
    await migrate(db.redis);

    expect(await db.redis.keys('mk:session-ip*')).toEqual([]);
    expect(await db.redis.keys('mk:sessions-of-mac:*')).toEqual([]);
    // Layout 5: the hash's fields by their letters, its lifetime kept.
    expect(await db.redis.hmget(keys.session(id), FIELD.user, FIELD.counted, 'user', 'counted')).toEqual(['alice', '200', null, null]);
    expect(await db.redis.hgetall(BLOCK(alice.nas))).toEqual({ '20': 'a-1' });
    expect(await db.redis.hgetall(ANY)).toEqual({ '20': id });
    for (const key of [BLOCK(alice.nas), ANY]) expect(await db.redis.ttl(key)).toBeGreaterThan(3500);
    expect((await db.store.sessions.byIp(alice.nas, IP))?.id).toBe(id);
    expect((await db.store.sessions.byIp(undefined, IP))?.id).toBe(id);
    expect((await db.store.sessions.list({ mac: alice.mac })).map((session) => session.id)).toEqual([id]);

    // Its next record lists it under this layout's names; a move leaves the old address.
    const usage = await db.store.sessions.record({ ...alice, ip: '192.168.7.30', status: 'interim', inOctets: 150, outOctets: 150 });
    expect(usage.today).toBe(100);
    expect(await db.store.sessions.byIp(undefined, IP)).toBeUndefined();
    expect(await db.redis.hgetall(BLOCK(alice.nas))).toEqual({ '30': 'a-1' });
    expect(await db.redis.hgetall(ANY)).toEqual({ '30': id });
    expect((await db.store.sessions.byIp(alice.nas, '192.168.7.30'))?.id).toBe(id);

    await db.store.sessions.record({ ...alice, ip: '192.168.7.30', status: 'stop', inOctets: 160, outOctets: 160 });
    expect(await db.redis.keys('mk:addr:*')).toEqual([]);
    expect(await addressKeys()).toEqual([]);
    expect(await db.redis.zcard(keys.sessionsOfUser(alice.user))).toBe(0);
    expect(await db.store.sessions.list({ mac: alice.mac })).toEqual([]);
  });
});

/** A session as layout 5 wrote it (fields by letter, its names' digest with its address's own hash). */
async function layoutFiveSession(entry: typeof alice): Promise<string> {
  const id = `${entry.nas}|${entry.sessionId}`;
  const indexes = [keys.sessionsOfAp(entry.nas, entry.nas), keys.sessionsOfUser(entry.user), keys.sessionsOfSchool(entry.school)];
  const digest = createHash('sha1').update(`${indexes.join('\n')}\n${keys.sessionAddress(entry.ip)}\n`).digest('hex').slice(0, 12);
  const now = Date.now() - 60_000;
  await db.redis.hset(keys.session(id), {
    [FIELD.nas]: entry.nas, [FIELD.sessionId]: entry.sessionId, [FIELD.user]: entry.user, [FIELD.role]: entry.role, [FIELD.school]: entry.school, [FIELD.mac]: entry.mac, [FIELD.ip]: entry.ip,
    [FIELD.inOctets]: '100', [FIELD.outOctets]: '100', [FIELD.counted]: '200', [FIELD.startedAt]: String(now), [FIELD.updatedAt]: String(now), [FIELD.names]: `${digest}usp`,
  });
  for (const set of [...indexes, keys.sessions]) await db.redis.zadd(set, now, id);
  return id;
}

const evalshaCalls = async () => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await db.redis.info('commandstats'))?.[1] ?? 0);

describe("layout 5 → 6: a hash per client address", () => {
  it("becomes fields of its NAS's and the any-NAS block hashes, its lifetime kept; sessions are found, updated in one call, moved and closed", async () => {
    await db.store.sessions.record({ ...alice, sessionId: 'warm-up', ip: '10.9.9.9', status: 'start', inOctets: 0, outOctets: 0 });
    await db.redis.flushdb();
    await db.redis.set(keys.schemaVersion, '5');
    const [aliceId, bobId] = [await layoutFiveSession(alice), await layoutFiveSession(bob)];
    await db.redis.hset(keys.sessionAddress(IP), { [alice.nas]: aliceId, [bob.nas]: bobId, '*': bob.nas });
    await db.redis.expire(keys.sessionAddress(IP), 3600);
    await migrate(db.redis);

    expect(await db.redis.keys('mk:addr:*')).toEqual([]);
    expect(await db.redis.hgetall(BLOCK(alice.nas))).toEqual({ '20': 'a-1' });
    expect(await db.redis.hgetall(BLOCK(bob.nas))).toEqual({ '20': 'b-1' });
    expect(await db.redis.hgetall(ANY)).toEqual({ '20': bobId });
    for (const key of [BLOCK(alice.nas), BLOCK(bob.nas), ANY]) expect(await db.redis.ttl(key)).toBeGreaterThan(3500);
    expect((await db.store.sessions.byIp(alice.nas, IP))?.id).toBe(aliceId);
    expect((await db.store.sessions.byIp(undefined, IP))?.id).toBe(bobId);

    // Its names made again: an Interim-Update of it as stored is one call (the fast path), and
    // re-indexing (past REINDEX_MS) makes its NAS the last to report the address.
    await db.redis.config('RESETSTAT');
    const later = Date.now() + 11 * 60_000;
    expect((await db.store.sessions.record({ ...alice, status: 'interim', inOctets: 150, outOctets: 150 }, later)).today).toBe(100);
    expect(await evalshaCalls()).toBe(1);
    expect((await db.store.sessions.byIp(undefined, IP))?.id).toBe(aliceId);
    expect(await db.redis.hgetall(ANY)).toEqual({ '20': aliceId });
    // Moved to the next block: its old field goes, Bob's stays, and the any-NAS answer is nobody.
    await db.store.sessions.record({ ...alice, ip: '192.168.7.100', status: 'interim', inOctets: 160, outOctets: 160 }, later);
    expect(await addressKeys()).toEqual([BLOCK(bob.nas), keys.sessionAddressAnyBlock('192.168.7.64'), keys.sessionAddressBlock(alice.nas, '192.168.7.64')].sort());
    expect(await db.store.sessions.byIp(undefined, IP)).toBeUndefined();
    expect((await db.store.sessions.byIp(undefined, '192.168.7.100'))?.id).toBe(aliceId);

    await db.store.sessions.record({ ...alice, ip: '192.168.7.100', status: 'stop', inOctets: 170, outOctets: 170 });
    await db.store.sessions.record({ ...bob, status: 'stop', inOctets: 170, outOctets: 170 });
    expect(await addressKeys()).toEqual([]);
    expect(await db.redis.zcard(keys.sessions)).toBe(0);
  });
});
