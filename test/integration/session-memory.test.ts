// A live session's hash in the embedded Redis (the same redis-server arguments the tests start)
// is stored compactly, as a listpack: with Redis's default 64-byte value limit its list of index
// names alone made it a hash table of ~1.8 KB (docs/scale.md "Toward 1 KB per live session").
// And a live session, with everything it is listed under, costs Redis a bounded number of bytes.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { keys } from '../../src/store/keys.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
});
afterAll(() => server?.close());

it('keeps a live session of a student on a school AP as a listpack hash under 1 KB', async () => {
  const store = createStore(redis);
  const session = {
    nas: '10.20.30.40', sessionId: '80600001-0000a1b2', user: 'aigerim.nurlanovna', role: 'student', school: 'school-042-almaty',
    mac: '3c:22:fb:a1:b2:c3', userName: 'aigerim.nurlanovna', ip: '172.16.42.117', periods: { day: '2026-12-01', month: '2026-12' },
  };
  await store.sessions.record({ ...session, status: 'start', inOctets: 0, outOctets: 0 });
  await store.sessions.record({ ...session, status: 'interim', inOctets: 12_345_678, outOctets: 987_654 });
  const key = keys.session(`${session.nas}|${session.sessionId}`);
  expect(await redis.exists(key)).toBe(1);
  expect(await redis.object('ENCODING', key)).toBe('listpack');
  expect(Number(await redis.memory('USAGE', key))).toBeLessThan(1024);
});

// 2,000 sessions over 40 schools' APs (a CIDR NAS, each AP its NAS-Identifier), two devices per
// pupil, besides the one session above. 2,037 B each before the session hash stopped keeping its
// index names and a NAS-Identifier session left its AP's plain set; 1,672 B with two address keys
// and a set per MAC; 1,276 B with one address hash and no set per MAC; 1,150 B with the hash's
// fields named by a letter; 1,112 B with a shorter address key and no '*' for a lone NAS; ~970 B
// with one hash per block of 64 addresses instead of one per address; ~988 B with a block hash per
// NAS and an any-NAS one, which stay 64 fields when schools share a range (docs/scale.md "Toward 1 KB").
const BUDGET = { sessions: 2000, schools: 40, perSession: 1000 };

it(`keeps ${BUDGET.sessions} live sessions of pupils on school APs within ${BUDGET.perSession} B of used_memory each`, async () => {
  const store = createStore(redis);
  const { sessions, schools, perSession } = BUDGET;
  const session = (n: number) => ({
    nas: '10.20.0.0/16', nasIp: `10.20.${n % schools}.1`, nasIdentifier: `school-${n % schools}-ap`, nasIpAddress: `10.20.${n % schools}.1`, sessionId: `8060${String(n).padStart(4, '0')}-0000a1b2`,
    user: `pupil-${n % schools}-${Math.floor(n / schools / 2)}`, role: 'student', school: `school-${n % schools}`, mac: `3c:22:fb:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`,
    callingStationId: '3C-22-FB-00-00-00', userName: 'pupil', ip: `172.16.${n >> 8}.${n & 255}`,
  });
  await redis.call('MEMORY', 'PURGE');
  const before = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  for (let n = 0; n < sessions; n++) {
    await store.sessions.record({ ...session(n), status: 'start', inOctets: 0, outOctets: 0 });
    await store.sessions.record({ ...session(n), status: 'interim', inOctets: 12_345_678, outOctets: 987_654 });
  }
  await redis.call('MEMORY', 'PURGE');
  const after = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  expect(await redis.zcard(keys.sessions)).toBe(sessions + 1);
  expect(await redis.object('ENCODING', keys.session(`10.20.0.0/16|10.20.1.1|80600001-0000a1b2`))).toBe('listpack');
  expect((after - before) / sessions).toBeLessThanOrEqual(perSession);
});

// The same budget when schools share a private range (hundreds of schools' MikroTiks hand out
// 192.168.88.0/24): 40 schools, each its NAS record, 50 sessions each at 192.168.88.2–.51. Each
// NAS's block hash holds its own 50 addresses; the any-NAS block hash 50 fields for all of them
// (~761 B per session: no NAS-Identifier sets, shorter ids than the CIDR shape above).
const SHARED = { schools: 40, perSchool: 50, perSession: 1000 };

it(`keeps ${SHARED.schools * SHARED.perSchool} live sessions of ${SHARED.schools} schools over the same private range within ${SHARED.perSession} B each`, async () => {
  const store = createStore(redis);
  const { schools, perSchool, perSession } = SHARED;
  const session = (school: number, host: number) => ({
    nas: `10.60.${school}.1`, sessionId: `8070${String(host).padStart(4, '0')}-0000a1b2`, user: `pupil-${school}-${host}`, role: 'student', school: `school-${school}`,
    mac: `3c:22:fb:01:${school.toString(16).padStart(2, '0')}:${host.toString(16).padStart(2, '0')}`, callingStationId: '3C-22-FB-01-00-00', userName: 'pupil', ip: `192.168.88.${host + 2}`,
  });
  await redis.call('MEMORY', 'PURGE');
  const before = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  for (let school = 0; school < schools; school++) {
    for (let host = 0; host < perSchool; host++) {
      await store.sessions.record({ ...session(school, host), status: 'start', inOctets: 0, outOctets: 0 });
      await store.sessions.record({ ...session(school, host), status: 'interim', inOctets: 12_345_678, outOctets: 987_654 });
    }
  }
  await redis.call('MEMORY', 'PURGE');
  const after = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  expect(await redis.hlen(keys.sessionAddressAnyBlock('192.168.88.0'))).toBe(perSchool);
  expect(await redis.object('ENCODING', keys.sessionAddressBlock('10.60.0.1', '192.168.88.0'))).toBe('listpack');
  expect((after - before) / (schools * perSchool)).toBeLessThanOrEqual(perSession);
});

// A school's set in a region's morning (~167 live sessions in bench:scale's full run) stays a
// listpack (zset-max-listpack-entries 256 in the embedded Redis): ~86 B less per membership
// than the skiplist Redis makes past its default 128 (docs/scale.md).
it('keeps the session sets of a school with 200 live sessions as listpacks', async () => {
  const store = createStore(redis);
  for (let n = 0; n < 200; n++) {
    await store.sessions.record({ nas: '10.30.0.1', sessionId: `busy-${n}`, status: 'start', user: `pupil-busy-${n}`, role: 'student', school: 'school-busy', inOctets: 0, outOctets: 0 });
  }
  expect(await redis.zcard(keys.sessionsOfSchool('school-busy'))).toBe(200);
  expect(await redis.object('ENCODING', keys.sessionsOfSchool('school-busy'))).toBe('listpack');
  expect(await redis.object('ENCODING', keys.sessionsOfAp('10.30.0.1', '10.30.0.1'))).toBe('listpack');
});
