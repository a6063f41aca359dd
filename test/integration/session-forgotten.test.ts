// Accounting after `user forget` (review finding 5), at the store: a record naming a forgotten
// person is kept charged to nobody, a new owner's Class-backed login on a forgotten device is
// charged as usual, and the Interim-Update fast path stays one script call with no forgotten
// markers. And forget closing the person's sessions: an address key DHCP handed to another
// device while forget runs stays theirs.
import type { Redis } from 'ioredis';
import { beforeEach, expect, it } from 'vitest';
import { forgetUser } from '../../src/store/forget.js';
import { keys } from '../../src/store/keys.js';
import { useTestStore } from '../helpers/redis.js';

const periods = { day: '2026-12-01', month: '2026-12' };
const MAC = '02:00:5e:14:05:01';
const alice = { nas: '10.0.0.1', sessionId: 'fg-1', user: 'alice', role: 'student', school: 'sch1', mac: MAC, userName: 'alice', ip: '192.168.5.10', periods };

const db = useTestStore();
beforeEach(async () => {
  await db.redis.flushdb();
  await db.redis.hset('mk:user:alice', { username: 'alice', role: 'student', school: 'sch1' });
  await db.redis.sadd('mk:users', 'alice');
  await db.redis.hset(`mk:device:${encodeURIComponent(MAC)}`, { mac: MAC, user: 'alice', role: 'student' });
});

/** The commands clients sent while `run` ran, each with its arguments (MONITOR; commands scripts run inside are left out). */
async function clientCommands(run: () => Promise<void>): Promise<string[][]> {
  const monitor = await db.redis.duplicate().monitor();
  const seen: string[][] = [];
  const done = new Promise<void>((resolve) => monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() === 'echo' && args[1] === 'measured') resolve();
    else if (source !== 'lua') seen.push([args[0]!.toLowerCase(), ...args.slice(1)]);
  }));
  await run();
  await db.redis.echo('measured');
  await done;
  monitor.disconnect();
  return seen;
}

it('records a forgotten person\'s late Interim and Stop charged to nobody, with no usage and no stop record naming them', async () => {
  await db.store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
  await db.store.forget('alice', 'cli:root');

  expect(await db.store.sessions.record({ ...alice, status: 'interim', inOctets: 500, outOctets: 500 })).toEqual({ today: 0, month: 0, forgotten: true });
  const session = await db.store.sessions.byIp(undefined, alice.ip);
  expect(session).toMatchObject({ sessionId: 'fg-1', role: 'student', inOctets: 500 });
  expect(session?.user ?? session?.userName ?? session?.mac).toBeUndefined();
  expect(await db.store.sessions.record({ ...alice, status: 'stop', inOctets: 900, outOctets: 900 })).toMatchObject({ forgotten: true });

  expect(await db.redis.keys('mk:usage:*')).toEqual([]);
  expect(await db.redis.keys('mk:stats-top:*')).toEqual([]);
  expect(await db.redis.keys('mk:sessions-of-user:*')).toEqual([]);
  const stops = await db.redis.xrange('mk:session-log', '-', '+');
  expect(stops.map(([, fields]) => fields[fields.indexOf('user') + 1])).toEqual(['']);
});

it('charges a new owner\'s Class-backed session on the forgotten device as usual', async () => {
  await db.store.forget('alice', 'cli:root');
  const bob = { ...alice, sessionId: 'fg-2', user: 'bob', userName: 'bob' };
  await db.store.sessions.record({ ...bob, status: 'start', inOctets: 0, outOctets: 0 });
  expect(await db.store.sessions.record({ ...bob, status: 'interim', inOctets: 700, outOctets: 300 })).toEqual({ today: 1000, month: 1000 });
  expect((await db.store.sessions.byIp(undefined, alice.ip))?.user).toBe('bob');
});

it('keeps an Interim-Update of a stored session to one script call and no other command', async () => {
  await db.store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
  const sent = await clientCommands(async () => {
    for (let i = 1; i <= 20; i++) await db.store.sessions.record({ ...alice, status: 'interim', inOctets: i * 100, outOctets: 0 });
  });
  expect(sent.map(([command]) => command)).toEqual(Array(20).fill('evalsha'));
  // The script never reads the forgotten markers there: they are neither hashed nor sent.
  expect(sent.flat().filter((arg) => arg.startsWith('mk:forgotten:'))).toEqual([]);
});

it("sends the markers with an Interim-Update's second call when it is off the fast path, and refuses a forgotten person", async () => {
  await db.store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
  await db.store.forget('alice', 'cli:root');
  // The session is gone: the first call answers RETRY, the second checks the markers.
  const sent = await clientCommands(async () => {
    expect(await db.store.sessions.record({ ...alice, status: 'interim', inOctets: 20, outOctets: 20 })).toMatchObject({ forgotten: true });
  });
  const markers = sent.map((args) => args.filter((arg) => arg.startsWith('mk:forgotten:')));
  expect(markers.slice(0, 2)).toEqual([[], [keys.forgotten('alice')]]);
  expect(await db.redis.keys('mk:usage:*')).toEqual([]);
});

/**
 * The real client, with `between` run once just before forget reads the stop records (a step
 * after it has dealt with the person's sessions, before its final write).
 */
function withStep(between: () => Promise<unknown>): Redis {
  let done = false;
  return new Proxy(db.redis, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      const method = (value as (...all: unknown[]) => unknown).bind(target);
      if (name !== 'xrange') return method;
      return async (...args: unknown[]) => {
        if (!done && args[0] === keys.sessionLog) {
          done = true;
          await between();
        }
        return method(...args);
      };
    },
  });
}

it("keeps an address key that DHCP handed to another device's session while the forget ran", async () => {
  const bob = { ...alice, sessionId: 'fg-3', user: 'bob', userName: 'bob', mac: '02:00:5e:14:05:02', ip: '192.168.5.11' };
  await db.store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
  await db.store.sessions.record({ ...bob, status: 'start', inOctets: 0, outOctets: 0 });
  const bobId = (await db.store.sessions.byIp(undefined, bob.ip))!.id;
  // Alice's address now leased to Bob's device: his session reports it, its address entry names it.
  const repoint = () => db.store.sessions.record({ ...bob, status: 'interim', ip: alice.ip, inOctets: 1, outOctets: 1 });

  const forgotten = await forgetUser(withStep(repoint), 'alice', 'cli:root');

  expect(forgotten.sessions).toBe(1);
  // The block of 192.168.5.0–63: Bob's fields at Alice's address (10), his old ones (11) gone with his move.
  expect(await db.redis.hgetall(keys.sessionAddressBlock(alice.nas, '192.168.5.0'))).toEqual({ '10': bobId.slice(alice.nas.length + 1) });
  expect(await db.redis.hgetall(keys.sessionAddressAnyBlock('192.168.5.0'))).toEqual({ '10': bobId });
  expect((await db.store.sessions.byIp(alice.nas, alice.ip))?.user).toBe('bob');
});

it("forgets the person's address keys, announces the end on the DNS channel, and leaves no session of theirs", async () => {
  await db.store.sessions.record({ ...alice, status: 'start', inOctets: 0, outOctets: 0 });
  const listener = db.redis.duplicate();
  const heard: unknown[] = [];
  await listener.subscribe(keys.sessionAnnouncements);
  listener.on('message', (_channel: string, message: string) => heard.push(JSON.parse(message)));

  await forgetUser(db.redis, 'alice', 'cli:root');
  await db.redis.ping();
  await listener.quit();

  expect(await db.redis.exists(keys.sessionAddressBlock(alice.nas, '192.168.5.0'), keys.sessionAddressAnyBlock('192.168.5.0'))).toBe(0);
  expect(await db.redis.keys('mk:session-ip*')).toEqual([]);
  expect(await db.redis.keys('mk:session:*')).toEqual([]);
  expect(await db.redis.keys('mk:session-counted:*')).toEqual([]);
  expect(await db.redis.zcard(keys.sessions)).toBe(0);
  expect(heard).toContainEqual(expect.objectContaining({ state: 'stop', ip: alice.ip }));
});
