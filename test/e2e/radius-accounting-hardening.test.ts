// Accounting as an adversarial or merely unusual NAS sends it (hardening items 8, 9 and 15):
// one school's NAS cannot spend another school's users' allowance, access points registered as
// one CIDR block keep their sessions apart, Accounting-On closes only the sender's sessions,
// usage is never counted twice, and the session indexes forget sessions that ended silently.
import type { EncodableAttribute } from 'radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius-wire/packet.js';
import type { Store } from '../../src/store/index.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { accessRequest, accountingRequest } from '../helpers/radius-wire.js';
import { ask } from '../helpers/udp-peer.js';

const NAS_A = { address: '127.0.0.2', secret: 'school-a-secret' };
const NAS_B = { address: '127.0.0.3', secret: 'school-b-secret' };
const BLOCK = { address: '127.0.1.0/24', secret: 'block-secret', x: '127.0.1.1', y: '127.0.1.2' };
const MB = 1_000_000;
let fixture: AppFixture;
let store: Store;
let identifier = 0;

beforeAll(async () => {
  fixture = await startAppFixture();
  store = fixture.store;
  await store.schools.add({ id: 'sch-a', name: 'School A' }, 'test');
  await store.schools.add({ id: 'sch-b', name: 'School B' }, 'test');
  await store.nas.add(NAS_A.address, { secret: NAS_A.secret, vendor: 'generic', school: 'sch-a', rejectDelayMs: 0 }, 'test');
  await store.nas.add(NAS_B.address, { secret: NAS_B.secret, vendor: 'generic', school: 'sch-b', rejectDelayMs: 0 }, 'test');
  await store.nas.add(BLOCK.address, { secret: BLOCK.secret, vendor: 'generic', school: 'sch-a', rejectDelayMs: 0 }, 'test');
  await store.policies.set('student', 'sch-b', { dailyQuota: 2 * MB, maxDevices: 1 }, [], 'test');
  await store.users.add({ username: 'bolat', password: 'bolat-password', role: 'student', school: 'sch-b' }, 'test');
  await store.users.add({ username: 'aliya', password: 'aliya-password', role: 'student', school: 'sch-a' }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find(BLOCK.x), 2000, 'the NAS clients');
});
afterAll(async () => {
  await fixture?.close();
});

async function login(nas: { secret: string }, from: string, username: string, password: string): Promise<{ code: number; className?: Buffer }> {
  const reply = await ask(fixture.auth, accessRequest(nas.secret, [['User-Name', username], ['User-Password', password], ['Calling-Station-Id', 'AA-BB-CC-08-00-01']], { identifier: ++identifier % 256 }), from);
  if (!reply) throw new Error('no answer to the Access-Request');
  const className = reply.attributes.raw(25);
  return { code: reply.frame.code, ...(className ? { className: Buffer.from(className) } : {}) };
}

async function account(nas: { secret: string }, from: string, attributes: EncodableAttribute[]): Promise<void> {
  const reply = await ask(fixture.acct, accountingRequest(nas.secret, attributes, ++identifier % 256), from);
  expect(reply?.frame.code).toBe(Code.AccountingResponse);
}

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date());
const usageOf = async (user: string) => Number((await fixture.server.client().get(`mk:usage:${user}:${today()}`)) ?? 0);

describe('item 8: accounting only from the NAS that was issued the Class', () => {
  it('a NAS of school A cannot fill the device limit or use up the quota of a school B student', async () => {
    const first = await login(NAS_B, NAS_B.address, 'bolat', 'bolat-password');
    expect(first.code).toBe(Code.AccessAccept);
    const stolen = first.className!;
    // School A's NAS replays bolat's Class, then names him without one; both with heavy traffic.
    const replays: [string, EncodableAttribute[]][] = [['a-steal-1', [['Class', stolen]]], ['a-steal-2', []]];
    for (const [id, extra] of replays) {
      await account(NAS_A, NAS_A.address, [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', id], ['User-Name', 'bolat'], ['Calling-Station-Id', 'AA-BB-CC-0A-00-01'], ...extra]);
      await account(NAS_A, NAS_A.address, [['Acct-Status-Type', 'Interim-Update'], ['Acct-Session-Id', id], ['User-Name', 'bolat'], ['Acct-Output-Octets', 5 * MB], ...extra]);
    }
    // A Class forged in the previous, unsigned format does not pass either.
    await account(NAS_A, NAS_A.address, [['Acct-Status-Type', 'Interim-Update'], ['Acct-Session-Id', 'a-steal-3'], ['Class', Buffer.from('mektep1/user/bolat/student/sch-b')], ['Acct-Output-Octets', 5 * MB]]);
    expect(await usageOf('bolat')).toBe(0);
    expect(await store.sessions.list({ user: 'bolat' })).toEqual([]);
    // Recorded all the same (a NAS reports what it sees), under the NAS's school, without the login.
    expect(await store.sessions.get(NAS_A.address, 'a-steal-1')).toMatchObject({ school: 'sch-a', userName: 'bolat' });
    expect((await store.sessions.get(NAS_A.address, 'a-steal-1'))?.user).toBeUndefined();

    const again = await login(NAS_B, NAS_B.address, 'bolat', 'bolat-password');
    expect(again.code).toBe(Code.AccessAccept);
    // His own school's NAS, with the Class it was issued, is counted.
    await account(NAS_B, NAS_B.address, [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'b-1'], ['User-Name', 'bolat'], ['Class', again.className!]]);
    await account(NAS_B, NAS_B.address, [['Acct-Status-Type', 'Interim-Update'], ['Acct-Session-Id', 'b-1'], ['User-Name', 'bolat'], ['Class', again.className!], ['Acct-Output-Octets', MB]]);
    expect(await usageOf('bolat')).toBe(MB);
    expect((await store.sessions.list({ user: 'bolat' })).map((session) => session.sessionId)).toEqual(['b-1']);
    // A Stop without the Class still belongs to the login its session was started with.
    await account(NAS_B, NAS_B.address, [['Acct-Status-Type', 'Stop'], ['Acct-Session-Id', 'b-1'], ['User-Name', 'bolat'], ['Acct-Output-Octets', MB + 500]]);
    expect(await usageOf('bolat')).toBe(MB + 500);
  });
});

describe('item 9: access points registered as one CIDR block', () => {
  const start = (id: string, extra: EncodableAttribute[] = []): EncodableAttribute[] => [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', id], ['User-Name', 'guest'], ...extra];
  const ids = async () => (await store.sessions.list({ school: 'sch-a' })).filter((session) => session.nas === BLOCK.address).map((session) => `${session.nasIp}:${session.sessionId}`).sort();

  it('keeps sessions of different APs apart, even with the same Acct-Session-Id', async () => {
    await account(BLOCK, BLOCK.x, start('same-1', [['Framed-IP-Address', '10.1.0.1']]));
    await account(BLOCK, BLOCK.y, start('same-1', [['Framed-IP-Address', '10.1.0.2']]));
    expect(await ids()).toEqual([`${BLOCK.x}:same-1`, `${BLOCK.y}:same-1`]);
  });

  it("closes only the sending AP's sessions on Accounting-On, and never counts a running total twice", async () => {
    const { className } = await login(BLOCK, BLOCK.y, 'aliya', 'aliya-password');
    const interim = (octets: number): EncodableAttribute[] => [['Acct-Status-Type', 'Interim-Update'], ['Acct-Session-Id', 'y-aliya'], ['User-Name', 'aliya'], ['Class', className!], ['Acct-Output-Octets', octets]];
    await account(BLOCK, BLOCK.y, [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'y-aliya'], ['User-Name', 'aliya'], ['Class', className!]]);
    await account(BLOCK, BLOCK.y, interim(310 * MB));
    expect(await usageOf('aliya')).toBe(310 * MB);

    await account(BLOCK, BLOCK.x, [['Acct-Status-Type', 'Accounting-On']]);
    expect(await ids()).toEqual([`${BLOCK.y}:same-1`, `${BLOCK.y}:y-aliya`]);
    await account(BLOCK, BLOCK.y, interim(310 * MB));
    expect(await usageOf('aliya')).toBe(310 * MB);

    // Even when its session was closed (here by y's own Accounting-On), the same running totals
    // arriving again add nothing; only what the totals moved since is counted.
    await account(BLOCK, BLOCK.y, [['Acct-Status-Type', 'Accounting-On']]);
    expect(await ids()).toEqual([]);
    await account(BLOCK, BLOCK.y, interim(310 * MB));
    expect(await usageOf('aliya')).toBe(310 * MB);
    await account(BLOCK, BLOCK.y, interim(320 * MB));
    expect(await usageOf('aliya')).toBe(320 * MB);
  });

  it('scopes Accounting-On by NAS-Identifier when the AP sends one', async () => {
    await account(BLOCK, BLOCK.x, start('radio-1', [['NAS-Identifier', 'x-radio-1']]));
    await account(BLOCK, BLOCK.x, start('radio-2', [['NAS-Identifier', 'x-radio-2']]));
    await account(BLOCK, BLOCK.x, [['Acct-Status-Type', 'Accounting-On'], ['NAS-Identifier', 'x-radio-1']]);
    expect((await ids()).filter((id) => id.startsWith(BLOCK.x))).toEqual([`${BLOCK.x}:radio-2`]);
  });

  it('a late copy of Accounting-On (Acct-Delay-Time) leaves the sessions started since the reboot', async () => {
    await account(BLOCK, BLOCK.x, [['Acct-Status-Type', 'Accounting-On']]);
    await account(BLOCK, BLOCK.x, start('after-reboot'));
    await account(BLOCK, BLOCK.x, [['Acct-Status-Type', 'Accounting-On'], ['Acct-Delay-Time', 4]]);
    expect((await ids()).filter((id) => id.startsWith(BLOCK.x))).toEqual([`${BLOCK.x}:after-reboot`]);
  });
});

describe('item 15: session indexes forget sessions that ended without a Stop', () => {
  it('prunes index members older than the session lifetime, and every index expires', async () => {
    const redis = fixture.server.client();
    const dayAndAHalf = 36 * 3600 * 1000;
    await store.sessions.record({ nas: '10.15.0.1', sessionId: 'silent', status: 'start', user: 'ghost', school: 'sch-15', mac: 'aa:bb:cc:15:00:01', ip: '10.15.9.1', inOctets: 0, outOctets: 0 }, Date.now() - dayAndAHalf);
    await store.sessions.record({ nas: '10.15.0.1', sessionId: 'alive', status: 'start', user: 'ghost', school: 'sch-15', mac: 'aa:bb:cc:15:00:01', ip: '10.15.9.1', inOctets: 0, outOctets: 0 });
    for (const key of ['mk:sessions-of-user:ghost', 'mk:sessions-of-school:sch-15']) {
      expect(await redis.zrange(key, 0, -1)).toEqual(['10.15.0.1|alive']);
      expect(await redis.ttl(key)).toBeGreaterThan(0);
    }
    // No set per MAC: the device's sessions are its school's (or the region's) filtered by MAC.
    expect(await redis.exists('mk:sessions-of-mac:aa%3Abb%3Acc%3A15%3A00%3A01')).toBe(0);
    expect((await store.sessions.list({ mac: 'aa:bb:cc:15:00:01' })).map((session) => session.sessionId)).toEqual(['alive']);
    // The address's block (10.15.9.0–63), its NAS's hash and the any-NAS one: the live session's fields only.
    expect(await redis.hgetall('mk:ips:10.15.0.1:10.15.9.0')).toEqual({ '1': 'alive' });
    expect(await redis.hgetall('mk:ips-any:10.15.9.0')).toEqual({ '1': '10.15.0.1|alive' });
    for (const key of ['mk:ips:10.15.0.1:10.15.9.0', 'mk:ips-any:10.15.9.0']) expect(await redis.ttl(key)).toBeGreaterThan(0);
    expect(await redis.zscore('mk:sessions', '10.15.0.1|silent')).toBeNull();
    expect((await store.sessions.list({ user: 'ghost' })).map((session) => session.sessionId)).toEqual(['alive']);
  });
});
