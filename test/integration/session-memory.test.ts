// A live session's hash in the embedded Redis (the same redis-server arguments the tests start)
// is stored compactly, as a listpack: with Redis's default 64-byte value limit its list of index
// names alone made it a hash table of ~1.8 KB (docs/scale.md "Toward 1 KB per live session").
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
