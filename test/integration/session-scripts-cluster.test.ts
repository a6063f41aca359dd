// Redis Cluster runs a Lua script on the node that owns the slot of its KEYS: a key the script
// touches without declaring it may live on another node. A single-node cluster cannot show that
// (it owns every slot, and a script without a shebang may even cross slots on it), and our KEYS
// span many slots until keys carry a hash tag (docs/scale.md). So the check is Redis's own
// account of what ran: MONITOR prints every command a script executes ("lua" as its source)
// right after the EVAL/EVALSHA that ran it, and COMMAND GETKEYS names the key arguments of each
// by Redis's key specs. Every store operation that runs a script is driven here, and every key
// each script touched must be one of that call's KEYS.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createStore, type Store } from '../../src/store/index.js';
import { createAttemptLimiter } from '../../src/store/attempts.js';
import { createLoginGuard } from '../../src/store/login-guard.js';
import { migrate } from '../../src/store/schema.js';
import { FIELD } from '../../src/store/session-fields.js';
import { NAME_ATTEMPTS, SessionNamesChanged } from '../../src/store/session-scripts.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;
let store: Store;

interface ScriptRun {
  keys: string[];
  commands: string[][];
}

/** Watches the scripts run on the server; `undeclared()` lists the keys they touched outside their KEYS. */
async function watchScripts(client: Redis) {
  const runs: ScriptRun[] = [];
  let current: ScriptRun | undefined;
  let marks = 0;
  const monitor = await client.monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const name = args[0]?.toLowerCase();
    if (source === 'lua') {
      current?.commands.push(args);
    } else if (name === 'eval' || name === 'evalsha') {
      current = { keys: args.slice(3, 3 + Number(args[2])), commands: [] };
      runs.push(current);
    } else {
      current = undefined;
      if (name === 'echo' && args[1]?.startsWith('script-watch-mark')) marks++;
    }
  });
  return {
    runs,
    /** Waits until MONITOR has printed everything sent so far, then names each undeclared key. */
    async undeclared(): Promise<string[]> {
      const expected = marks + 1;
      await redis.echo(`script-watch-mark-${expected}`);
      while (marks < expected) await new Promise((resolve) => setTimeout(resolve, 10));
      const found: string[] = [];
      for (const run of runs) {
        for (const command of run.commands) {
          const touched = await (redis.call('COMMAND', 'GETKEYS', ...command) as Promise<string[]>).catch(() => [] as string[]);
          for (const key of touched) if (!run.keys.includes(key)) found.push(`${command[0]} ${key}`);
        }
      }
      return found;
    },
    close: () => monitor.disconnect(),
  };
}

// One redis-server for the file, emptied before each case (the built-in roles written again).
beforeAll(async () => void (server = await startTestRedis()));
afterAll(() => server.close());
beforeEach(async () => {
  await server.flush();
  redis = server.client();
  await migrate(redis);
  store = createStore(redis);
});

const NAS = '10.40.0.0/24';
const AP = '10.40.0.7';
const base = { nas: NAS, nasIp: AP, inOctets: 0, outOctets: 0 };

describe('every key a store script touches is in its KEYS (what Redis Cluster routes by)', () => {
  it('the session table: Start, Interim, a move to another address and login, Stop, Accounting-On', async () => {
    const watch = await watchScripts(server.client());
    const periods = { day: '2026-12-01', month: '2026-12' };
    const alice = { user: 'alice', role: 'student', school: 'sch-40', periods };
    const at = Date.now() - 60_000;
    await store.sessions.record({ ...base, ...alice, sessionId: 's1', status: 'start', nasIdentifier: 'ap-7', mac: 'aa:bb:cc:00:00:01', ip: '10.41.0.5' }, at);
    await store.sessions.record({ ...base, ...alice, sessionId: 's1', status: 'interim', nasIdentifier: 'ap-7', mac: 'aa:bb:cc:00:00:01', ip: '10.41.0.5', inOctets: 500 }, at + 1000);
    // Another address, then another login: the session leaves the indexes it was stored with.
    await store.sessions.record({ ...base, ...alice, sessionId: 's1', status: 'interim', nasIdentifier: 'ap-7', mac: 'aa:bb:cc:00:00:01', ip: '10.41.0.6', inOctets: 900 }, at + 2000);
    await store.sessions.record({ ...base, user: 'bob', role: 'teacher', school: 'sch-41', periods, sessionId: 's1', status: 'interim', mac: 'aa:bb:cc:00:00:01', ip: '10.41.0.6', inOctets: 950 }, at + 3000);
    // A Stop that names less than the session was stored with (no address, no login).
    await store.sessions.record({ ...base, sessionId: 's1', status: 'stop', inOctets: 990 }, at + 4000);
    expect(await store.sessions.get(NAS, 's1', AP)).toBeUndefined();

    for (let n = 0; n < 3; n++) {
      await store.sessions.record({ ...base, ...alice, sessionId: `on-${n}`, status: 'start', nasIdentifier: 'ap-7', mac: `aa:bb:cc:00:01:0${n}`, ip: `10.41.1.${n}` }, at);
    }
    const { closed } = await store.sessions.closeAccessPoint({ nas: NAS, ap: AP, nasIdentifier: 'ap-7' }, at + 1, 'NAS-Reboot');
    expect(closed).toBe(3);
    expect(await redis.exists(`mk:ips:${encodeURIComponent(NAS)}:10.41.1.0`, 'mk:ips-any:10.41.1.0')).toBe(0);

    expect(watch.runs.length).toBeGreaterThanOrEqual(7);
    expect(await watch.undeclared()).toEqual([]);
    watch.close();
  });

  it("user forget: the person's sessions closed, each with the index sets and address keys it was stored with", async () => {
    const alice = { user: 'alice', role: 'student', school: 'sch-40' };
    await redis.hset('mk:user:alice', { username: 'alice', ...alice });
    for (let n = 0; n < 2; n++) {
      await store.sessions.record({ ...base, ...alice, sessionId: `fg-${n}`, status: 'start', nasIdentifier: 'ap-7', mac: `aa:bb:cc:00:02:0${n}`, ip: `10.41.2.${n}` });
    }
    const watch = await watchScripts(server.client());
    expect((await store.forget('alice', 'cli:root')).sessions).toBe(2);
    expect(await redis.exists(`mk:ips:${encodeURIComponent(NAS)}:10.41.2.0`, 'mk:ips-any:10.41.2.0')).toBe(0);
    expect(watch.runs.length).toBeGreaterThanOrEqual(2);
    expect(await watch.undeclared()).toEqual([]);
    watch.close();
  });

  it('refuses, writing nothing, a record not given the names its session was stored with, and names them', async () => {
    await store.sessions.record({ ...base, user: 'alice', role: 'student', school: 'sch-40', sessionId: 's2', status: 'start', ip: '10.41.0.9', inOctets: 100 });
    const id = `${NAS}|${AP}|s2`;
    // A Stop naming only the AP's index, as the store would call first for a record without login or address.
    const keyList = ['mk:session:' + encodeURIComponent(id), 'mk:sessions', 'mk:session-log', 'mk:session-counted:' + encodeURIComponent(id), `mk:sessions-of-ap:${encodeURIComponent(NAS)}:${AP}`];
    const reply = await redis.mkAccounting(keyList.length, ...keyList, 'stop', String(Date.now()), '86400', '1000', id, '{}', '1', '0', '0', '600000', 'mk:session-announcements', 'bytes:', '', '0', '0', '1', '1', '900', '0', '');
    expect(reply).toEqual(['retry', JSON.stringify([keyList[4], 'mk:sessions-of-user:alice', 'mk:sessions-of-school:sch-40']).replaceAll('/', '\\/'),
      `mk:ips:${encodeURIComponent(NAS)}:10.41.0.0`, 'mk:ips-any:10.41.0.0']);
    // Nothing written: the Stop's counted total not kept apart, the session and its indexes as they were.
    expect(await redis.exists(keyList[3]!)).toBe(0);
    expect(await redis.hget(keyList[0]!, FIELD.counted)).toBe('100');
    expect(await redis.zscore('mk:sessions-of-user:alice', id)).not.toBeNull();
    expect(await store.sessions.get(NAS, 's2', AP)).toMatchObject({ inOctets: 100 });
  });

  it('gives a record up after three calls when the names its session holds cannot be passed, writing nothing', async () => {
    await store.sessions.record({ ...base, user: 'alice', role: 'student', school: 'sch-40', sessionId: 's3', status: 'start', inOctets: 100 });
    const key = 'mk:session:' + encodeURIComponent(`${NAS}|${AP}|s3`);
    // A name that is no key name (a damaged hash): asked for, passed, and never matched.
    await redis.hset(key, 'indexes', '[1]');
    const watch = await watchScripts(server.client());
    await expect(store.sessions.record({ ...base, user: 'alice', role: 'student', school: 'sch-40', sessionId: 's3', status: 'interim', inOctets: 900 })).rejects.toBeInstanceOf(SessionNamesChanged);
    expect(await watch.undeclared()).toEqual([]);
    expect(watch.runs.length).toBe(NAME_ATTEMPTS);
    expect(watch.runs.every((run) => run.commands.map((command) => command[0]).join() === 'HMGET')).toBe(true);
    expect(await redis.hget(key, FIELD.inOctets)).toBe('100');
    watch.close();
  });

  it('entity writes, devices, vouchers, API tokens, guests and the login counters', async () => {
    const watch = await watchScripts(server.client());
    await store.schools.add({ id: 'sch-40', name: 'School No. 40', timezone: 'Asia/Almaty' }, 'test');
    await store.devices.remember({ mac: 'aa:bb:cc:00:02:01', role: 'guest', school: 'sch-40', until: new Date(Date.now() + 3_600_000).toISOString() }, 'test');
    await store.devices.forgetGuest('aa:bb:cc:00:02:01', 'test', 'sch-40');
    const [voucher] = await store.vouchers.create({ role: 'guest', school: 'sch-40', duration: 3600, uses: 2, count: 1 }, 'test');
    expect((await store.vouchers.redeem(voucher!.code, 'aa:bb:cc:00:02:02')).ok).toBe(true);
    const { plain } = await store.apiTokens.create({ owner: 'admin' }, 'test');
    expect(await store.apiTokens.verify(plain)).toBeDefined();
    const limits = { pendingMs: 600_000, devicePerHour: 5, schoolPerHour: 50, retentionMs: 86_400_000 };
    const asked = await store.guests.ask({ mac: 'aa:bb:cc:00:02:03', nas: '127.0.0.1', school: 'sch-40', sponsor: 'teacher-1', name: 'Guest', contact: '-' }, limits, 'portal');
    expect(asked.ok).toBe(true);
    if (asked.ok) await store.guests.decide(asked.request, { state: 'approved', until: Date.now() + 3_600_000 }, limits.retentionMs, 'account:teacher-1');
    const attempts = createAttemptLimiter(redis);
    expect(await attempts.allow('alice')).toBe(true);
    await attempts.giveBack('alice');
    const guard = createLoginGuard(redis);
    await guard.attempt('alice', 'aa:bb:cc:00:02:04');
    await guard.succeeded('alice', 'aa:bb:cc:00:02:04');

    expect(watch.runs.length).toBeGreaterThanOrEqual(10);
    expect(await watch.undeclared()).toEqual([]);
    watch.close();
  });
});
