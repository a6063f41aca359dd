// Accounting after `user forget` (review finding 5), at the store: a record naming a forgotten
// person is kept charged to nobody, a new owner's Class-backed login on a forgotten device is
// charged as usual, and the Interim-Update fast path stays one script call.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const periods = { day: '2026-12-01', month: '2026-12' };
const MAC = '02:00:5e:14:05:01';
const alice = { nas: '10.0.0.1', sessionId: 'fg-1', user: 'alice', role: 'student', school: 'sch1', mac: MAC, userName: 'alice', ip: '192.168.5.10', periods };

let server: TestRedis;
let redis: Redis;
let store: Store;

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
  store = createStore(redis);
});
afterAll(() => server?.close());
beforeEach(async () => {
  await redis.flushdb();
  await redis.hset('mk:user:alice', { username: 'alice', role: 'student', school: 'sch1' });
  await redis.sadd('mk:users', 'alice');
  await redis.hset(`mk:device:${encodeURIComponent(MAC)}`, { mac: MAC, user: 'alice', role: 'student' });
});

/** The commands clients sent while `run` ran (MONITOR; commands scripts run inside are left out). */
async function clientCommands(run: () => Promise<void>): Promise<string[]> {
  const monitor = await redis.duplicate().monitor();
  const seen: string[] = [];
  const done = new Promise<void>((resolve) => monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() === 'echo' && args[1] === 'measured') resolve();
    else if (source !== 'lua') seen.push(args[0]!.toLowerCase());
  }));
  await run();
  await redis.echo('measured');
  await done;
  monitor.disconnect();
  return seen;
}

it('records a forgotten person\'s late Interim and Stop charged to nobody, with no usage and no stop record naming them', async () => {
  await store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
  await store.forget('alice', 'cli:root');

  expect(await store.sessions.record({ ...alice, status: 'interim', inOctets: 500, outOctets: 500 })).toEqual({ today: 0, month: 0, forgotten: true });
  const session = await store.sessions.byIp(undefined, alice.ip);
  expect(session).toMatchObject({ sessionId: 'fg-1', role: 'student', inOctets: 500 });
  expect(session?.user ?? session?.userName ?? session?.mac).toBeUndefined();
  expect(await store.sessions.record({ ...alice, status: 'stop', inOctets: 900, outOctets: 900 })).toMatchObject({ forgotten: true });

  expect(await redis.keys('mk:usage:*')).toEqual([]);
  expect(await redis.keys('mk:stats-top:*')).toEqual([]);
  expect(await redis.keys('mk:sessions-of-user:*')).toEqual([]);
  const stops = await redis.xrange('mk:session-log', '-', '+');
  expect(stops.map(([, fields]) => fields[fields.indexOf('user') + 1])).toEqual(['']);
});

it('charges a new owner\'s Class-backed session on the forgotten device as usual', async () => {
  await store.forget('alice', 'cli:root');
  const bob = { ...alice, sessionId: 'fg-2', user: 'bob', userName: 'bob' };
  await store.sessions.record({ ...bob, status: 'start', inOctets: 0, outOctets: 0 });
  expect(await store.sessions.record({ ...bob, status: 'interim', inOctets: 700, outOctets: 300 })).toEqual({ today: 1000, month: 1000 });
  expect((await store.sessions.byIp(undefined, alice.ip))?.user).toBe('bob');
});

it('keeps an Interim-Update of a stored session to one script call and no other command', async () => {
  await store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
  const sent = await clientCommands(async () => {
    for (let i = 1; i <= 20; i++) await store.sessions.record({ ...alice, status: 'interim', inOctets: i * 100, outOctets: 0 });
  });
  expect(sent).toEqual(Array(20).fill('evalsha'));
});
