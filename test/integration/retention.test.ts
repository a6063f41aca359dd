// Issue 13, retention: stop records and audit entries older than the region's periods are
// trimmed (by one instance), and `user forget` leaves no trace of the person anywhere in Redis.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius-wire/packet.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { Principal } from '../../src/services/principal.js';
import { startRetentionSweeper } from '../../src/store/retention.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { accessRequest, accountingRequest } from '../helpers/radius-wire.js';
import { ask } from '../helpers/udp-peer.js';

const SECRET = 'retention-secret';
const DAY = 86_400_000;
const root: Principal = { kind: 'root', actor: 'cli:test' };
let fixture: AppFixture;
let redis: Redis;
let services: Services;

beforeAll(async () => {
  fixture = await startAppFixture();
  redis = fixture.server.client();
  services = createServices({ store: fixture.store, enforcer: fixture.app.services.enforcer, admit: fixture.app.services.admit });
  await fixture.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', rejectDelayMs: 0 }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
});

/** Every place in Redis that mentions `needle`: key names, values, members, stream fields. */
async function mentions(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const key of await redis.keys('*')) {
    const type = await redis.type(key);
    const content = type === 'string' ? [await redis.get(key)]
      : type === 'hash' ? Object.entries(await redis.hgetall(key)).flat()
        : type === 'set' ? await redis.smembers(key)
          : type === 'zset' ? await redis.zrange(key, 0, -1)
            : type === 'stream' ? (await redis.xrange(key, '-', '+')).flatMap(([, fields]) => fields) : [];
    if (key.includes(needle) || content.some((value) => value?.includes(needle))) found.push(key);
  }
  return found;
}

describe('retention periods', () => {
  it('removes stop records and audit entries older than their periods, and keeps the rest', async () => {
    // Streams take only ids above their last: start them over with entries of known ages.
    await redis.del('mk:session-log', 'mk:audit');
    const now = Date.now();
    for (const [stream, age] of [['mk:session-log', 200], ['mk:session-log', 100], ['mk:audit', 800], ['mk:audit', 700]] as const) {
      await redis.xadd(stream, `${now - age * DAY}-0`, 'marker', `${stream}-${age}`);
    }
    await redis.xadd('mk:session-log', '*', 'marker', 'fresh');
    expect(await services.retention.show(root)).toEqual({ accountingDays: 180, auditDays: 730 });
    // Two instances, one lock: one of them trims (the app's own sweep at start took this hour's).
    await redis.del('mk:lock:retention');
    const lines: string[] = [];
    const log = { info: (fields: object) => lines.push(JSON.stringify(fields)), warn: () => undefined };
    const stops = [startRetentionSweeper(redis, log), startRetentionSweeper(fixture.app.redisManagement, log)];
    await waitFor(async () => (lines.length ? true : undefined), 2000, 'a trim');
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const stop of stops) stop();
    expect(lines).toEqual([expect.stringContaining('"accounting":1')]);
    const markers = async (stream: string) => (await redis.xrange(stream, '-', '+')).map(([, fields]) => fields[1]).filter((marker) => marker?.startsWith('mk:') || marker === 'fresh');
    expect(await markers('mk:session-log')).toEqual(['mk:session-log-100', 'fresh']);
    expect(await markers('mk:audit')).toEqual(['mk:audit-700']);

    await services.retention.set(root, { auditDays: 365 });
    await fixture.store.retention.trim();
    expect(await markers('mk:audit')).toEqual([]);
    await expect(services.retention.set(root, { accountingDays: 0 })).rejects.toThrow('whole number of days');
    await expect(services.retention.set({ kind: 'teacher', actor: 'account:t', username: 't', school: 's' } as Principal, { auditDays: 30 })).rejects.toThrow('may not');
  });
});

describe('user forget', () => {
  it('leaves no trace of the person anywhere in Redis, and one audit entry without their name', async () => {
    const name = 'zhanel-forgetme';
    await fixture.store.users.add({ username: name, password: 'zhanel-password', role: 'student' }, 'test');
    await fixture.store.devices.add({ mac: '02:00:5e:13:50:01', role: 'student', user: name }, 'test');
    await fixture.store.tokens.mint({ mac: '02:00:5e:13:50:02', nas: '127.0.0.1', role: 'student', user: name });
    const login = await ask(fixture.auth, accessRequest(SECRET, [['User-Name', name], ['User-Password', 'zhanel-password'], ['Calling-Station-Id', '02-00-5E-13-50-03']]));
    expect(login?.frame.code).toBe(Code.AccessAccept);
    const account = (status: string, id: string) => ask(fixture.acct, accountingRequest(SECRET, [['Acct-Status-Type', status], ['Acct-Session-Id', id], ['User-Name', name],
      ['Class', Buffer.from(login!.attributes.raw(25)!)], ['Calling-Station-Id', '02-00-5E-13-50-03'], ['Framed-IP-Address', '10.9.0.7'], ['Acct-Output-Octets', 5000]]));
    for (const [status, id] of [['Start', 'f-1'], ['Stop', 'f-1'], ['Start', 'f-2'], ['Interim-Update', 'f-2']]) expect((await account(status!, id!))?.frame.code).toBe(Code.AccountingResponse);
    expect((await mentions(name)).length).toBeGreaterThan(5);

    const forgotten = await services.retention.forgetUser(root, name);
    expect(forgotten).toMatchObject({ devices: 1, sessions: 1, stopRecords: 1 });
    expect(await mentions(name)).toEqual([]);
    const [tombstone] = await fixture.store.audit.list({ action: 'user.forget', count: 1 });
    expect(tombstone).toMatchObject({ actor: 'cli:test', target: forgotten.pseudonym });
    expect(tombstone!.detail!.decisions).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'user.add' })]));
    await expect(services.retention.forgetUser(root, name)).rejects.toThrow('does not exist');
  });
});
