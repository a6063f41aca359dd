// RADIUS as an access point sees it: Debian's radclient (and raw UDP for exact bytes) against
// the real app and a real redis-server.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { accessRequest, exchange } from '../helpers/radius-wire.js';
import type { TestRedis } from '../helpers/redis.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';

const SECRET = 'testing123-secret';
const actor = 'test:setup';
let fixture: AppFixture;
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let auth: number;
let acct: number;

beforeAll(async () => {
  fixture = await startAppFixture();
  ({ server, app } = fixture);
  store = fixture.store;
  ({ auth, acct } = fixture);
  await store.schools.add({ id: 'sch-7', name: 'School 7' }, actor);
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', school: 'sch-7' }, actor);
  await store.policies.set('student', undefined, { downRate: 5_000_000, upRate: 1_000_000, sessionTimeout: 8 * 3600 }, [], actor);
  await store.users.add({ username: 'aigerim', password: 'correct-horse', role: 'student', school: 'sch-7' }, actor);
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
});

async function dropped(reason: string): Promise<number> {
  const line = (await app.inject('/metrics')).body.split('\n').find((row) => row.startsWith(`mektep_radius_dropped_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('PAP logins', () => {
  it('accepts a student with the role policy compiled for MikroTik, Message-Authenticator included', async () => {
    const result = await radclient(auth, 'auth', SECRET, 'User-Name=Aigerim,User-Password=correct-horse,Message-Authenticator=0x00,Calling-Station-Id=AA-BB-CC-00-00-01');
    expect(result.reply).toBe('Access-Accept');
    expect(result.attributes['Message-Authenticator']).toHaveLength(1);
    expect(result.attributes['Mikrotik-Rate-Limit']).toEqual(['1000k/5000k']);
    expect(result.attributes['Session-Timeout']).toEqual(['28800']);
    expect(result.attributes['Acct-Interim-Interval']).toEqual(['300']);
    expect(Buffer.from(result.attributes.Class![0]!.slice(2), 'hex').toString()).toMatch(/^mektep2\/user\/aigerim\/student\/sch-7\/[\w-]{22}$/);
  });

  it('rejects a wrong password after about a second, while other requests are answered meanwhile', async () => {
    const started = Date.now();
    const wrong = radclient(auth, 'auth', SECRET, 'User-Name=aigerim,User-Password=wrong-horse,Message-Authenticator=0x00', 3).then((r) => ({ ...r, at: Date.now() - started }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const right = await radclient(auth, 'auth', SECRET, 'User-Name=aigerim,User-Password=correct-horse,Message-Authenticator=0x00');
    const rightAt = Date.now() - started;
    const rejected = await wrong;
    expect(right.reply).toBe('Access-Accept');
    expect(rejected.reply).toBe('Access-Reject');
    expect(rejected.attributes['Reply-Message']).toEqual(['Invalid username or password']);
    expect(rejected.at).toBeGreaterThanOrEqual(900);
    expect(rightAt).toBeLessThan(rejected.at);
  });

  it('tells a disabled or expired user why', async () => {
    await store.users.add({ username: 'gone', password: 'password-1', role: 'student' }, actor);
    await store.users.setStatus('gone', 'disabled', actor);
    await store.users.add({ username: 'past', password: 'password-1', role: 'student', expiresAt: '2027-01-01' }, actor);
    await server.client().hset('mk:user:past', 'expiresAt', '2020-01-01T00:00:00.000Z');
    const [disabled, expired] = await Promise.all([
      radclient(auth, 'auth', SECRET, 'User-Name=gone,User-Password=password-1,Message-Authenticator=0x00', 3),
      radclient(auth, 'auth', SECRET, 'User-Name=past,User-Password=password-1,Message-Authenticator=0x00', 3),
    ]);
    expect(disabled.attributes['Reply-Message']).toEqual(['This account is disabled; ask the school administrator']);
    expect(expired.attributes['Reply-Message']).toEqual(['This account has expired; ask the school administrator']);
  });

  it('limits password checks per user, so guessing cannot burn the CPU', async () => {
    await store.users.add({ username: 'target', password: 'password-1', role: 'student' }, actor);
    const guesses = await Promise.all(Array.from({ length: 11 }, (_, i) => radclient(auth, 'auth', SECRET, `User-Name=target,User-Password=guess-${i},Message-Authenticator=0x00`, 3)));
    const messages = guesses.map((guess) => guess.attributes['Reply-Message']?.[0]);
    expect(messages.filter((message) => message === 'Invalid username or password')).toHaveLength(10);
    expect(messages).toContain('Too many attempts; wait a minute and try again');
    const right = await radclient(auth, 'auth', SECRET, 'User-Name=target,User-Password=password-1,Message-Authenticator=0x00', 3);
    expect(right.attributes['Reply-Message']).toEqual(['Too many attempts; wait a minute and try again']);
  });
});

describe('what gets no answer at all', () => {
  it('drops an Access-Request without Message-Authenticator, and one signed with a wrong secret', async () => {
    const [missingBefore, badBefore] = [await dropped('missing-message-authenticator'), await dropped('bad-message-authenticator')];
    const [missing, wrongSecret] = await Promise.all([
      radclient(auth, 'auth', SECRET, 'User-Name=aigerim,User-Password=correct-horse', 1),
      radclient(auth, 'auth', 'not-the-secret', 'User-Name=aigerim,User-Password=correct-horse,Message-Authenticator=0x00', 1),
    ]);
    expect(missing.reply).toBeUndefined();
    expect(wrongSecret.reply).toBeUndefined();
    expect(await dropped('missing-message-authenticator')).toBeGreaterThan(missingBefore);
    expect(await dropped('bad-message-authenticator')).toBeGreaterThan(badBefore);
  });

  it('drops accounting signed with a wrong secret', async () => {
    const result = await radclient(acct, 'acct', 'not-the-secret', 'Acct-Status-Type=Start,Acct-Session-Id=forged-1,User-Name=aigerim', 1);
    expect(result.reply).toBeUndefined();
    expect(await store.sessions.get('127.0.0.1', 'forged-1')).toBeUndefined();
  });
});

describe('Status-Server (RFC 5997)', () => {
  it('answers on both ports, and only with a Message-Authenticator', async () => {
    const [onAuth, onAcct, unsigned] = await Promise.all([
      radclient(auth, 'status', SECRET, 'Message-Authenticator=0x00'),
      radclient(acct, 'status', SECRET, 'Message-Authenticator=0x00'),
      exchange(auth, [Buffer.from([12, 1, 0, 20, ...Array<number>(16).fill(7)])], 300),
    ]);
    expect(onAuth.reply).toBe('Access-Accept');
    expect(onAcct.reply).toBe('Accounting-Response');
    expect(onAcct.attributes['Message-Authenticator']).toHaveLength(1);
    expect(unsigned).toEqual([]);
  });
});

describe('MAC authentication of registered devices', () => {
  beforeAll(async () => {
    await store.devices.add({ mac: '00-1B-63-00-00-10', role: 'student', school: 'sch-7' }, actor);
  });

  it('accepts a registered device whose User-Name is its own MAC, in any notation', async () => {
    const result = await radclient(auth, 'auth', SECRET, 'User-Name=001b63000010,User-Password=001b63000010,Calling-Station-Id=00:1B:63:00:00:10,Message-Authenticator=0x00');
    expect(result.reply).toBe('Access-Accept');
    expect(Buffer.from(result.attributes.Class![0]!.slice(2), 'hex').toString()).toMatch(/^mektep2\/device\/00:1b:63:00:00:10\/student\/sch-7\/[\w-]{22}$/);
  });

  it('accepts Service-Type = Call-Check', async () => {
    const result = await radclient(auth, 'auth', SECRET, 'User-Name=00-1b-63-00-00-10,Service-Type=Call-Check,Calling-Station-Id=00-1B-63-00-00-10,Message-Authenticator=0x00');
    expect(result.reply).toBe('Access-Accept');
  });

  it('stops accepting a device as soon as it is removed', async () => {
    await store.devices.add({ mac: '00-1B-63-00-00-11', role: 'student' }, actor);
    const request = 'User-Name=00-1b-63-00-00-11,Service-Type=Call-Check,Calling-Station-Id=00-1B-63-00-00-11,Message-Authenticator=0x00';
    expect((await radclient(auth, 'auth', SECRET, request)).reply).toBe('Access-Accept');
    await store.devices.remove('00:1b:63:00:00:11', actor);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await radclient(auth, 'auth', SECRET, request, 3)).reply).toBe('Access-Reject');
  });

  it('never accepts a User-Name naming another device than the one the AP saw, nor an unknown device', async () => {
    const [spoofed, unknown] = await Promise.all([
      radclient(auth, 'auth', SECRET, 'User-Name=00-1b-63-00-00-10,User-Password=x,Calling-Station-Id=00-1B-63-00-00-99,Message-Authenticator=0x00', 3),
      radclient(auth, 'auth', SECRET, 'User-Name=00-1b-63-00-00-99,User-Password=x,Calling-Station-Id=00-1B-63-00-00-99,Message-Authenticator=0x00', 3),
    ]);
    expect(spoofed.reply).toBe('Access-Reject');
    expect(spoofed.attributes['Reply-Message']).toEqual(['The device address does not match']);
    expect(unknown.attributes['Reply-Message']).toEqual(['This device is not registered; sign in on the portal']);
  });
});

describe('portal tokens and vouchers', () => {
  it('accepts a one-time token by CHAP once, from its own device only', async () => {
    const token = await store.tokens.mint({ mac: 'aa:bb:cc:00:00:21', nas: '127.0.0.1', role: 'student', school: 'sch-7', user: 'aigerim' });
    const otherDevice = await radclient(auth, 'auth', SECRET, `User-Name=${token.username},CHAP-Password=${token.password},Calling-Station-Id=AA-BB-CC-00-00-99,Message-Authenticator=0x00`, 3);
    expect(otherDevice.attributes['Reply-Message']).toEqual(['This login token belongs to another device']);
    const first = await radclient(auth, 'auth', SECRET, `User-Name=${token.username},CHAP-Password=${token.password},Calling-Station-Id=AA-BB-CC-00-00-21,Message-Authenticator=0x00`);
    expect(first.reply).toBe('Access-Accept');
    expect(Buffer.from(first.attributes.Class![0]!.slice(2), 'hex').toString()).toMatch(/^mektep2\/user\/aigerim\/student\/sch-7\/[\w-]{22}$/);
    const again = await radclient(auth, 'auth', SECRET, `User-Name=${token.username},CHAP-Password=${token.password},Calling-Station-Id=AA-BB-CC-00-00-21,Message-Authenticator=0x00`, 3);
    expect(again.attributes['Reply-Message']).toEqual(['Invalid or expired login token']);
  });

  it('refuses CHAP for a user, whose password is only kept as a hash', async () => {
    const result = await radclient(auth, 'auth', SECRET, 'User-Name=aigerim,CHAP-Password=correct-horse,Message-Authenticator=0x00', 3);
    expect(result.attributes['Reply-Message']).toEqual(['CHAP login works only with portal tokens and vouchers; use the portal or PAP']);
  });

  it('admits a voucher on as many devices as it allows, for its duration', async () => {
    const [voucher] = await store.vouchers.create({ role: 'guest', duration: 7200, uses: 1, count: 1 }, actor);
    const code = voucher!.code;
    const first = await radclient(auth, 'auth', SECRET, `User-Name=${code.toLowerCase()},User-Password=${code.toLowerCase()},Calling-Station-Id=AA-BB-CC-00-00-31,Message-Authenticator=0x00`);
    expect(first.reply).toBe('Access-Accept');
    expect(Number(first.attributes['Session-Timeout']![0])).toBeGreaterThan(7100);
    // CHAP with the challenge in CHAP-Challenge, as hotspot gateways send it.
    const sameDevice = await radclient(auth, 'auth', SECRET, `User-Name=${code},CHAP-Password=${code},CHAP-Challenge=0x00112233445566778899aabbccddeeff,Calling-Station-Id=AA-BB-CC-00-00-31,Message-Authenticator=0x00`);
    expect(sameDevice.reply).toBe('Access-Accept');
    const another = await radclient(auth, 'auth', SECRET, `User-Name=${code},User-Password=${code},Calling-Station-Id=AA-BB-CC-00-00-32,Message-Authenticator=0x00`, 3);
    expect(another.attributes['Reply-Message']).toEqual(['This voucher has been used on all its devices']);
  });
});

describe('duplicates (RFC 5080)', () => {
  it('answers a retransmission from the cache without running the handler again', async () => {
    const token = await store.tokens.mint({ mac: 'aa:bb:cc:00:00:41', nas: '127.0.0.1', role: 'student' });
    const packet = accessRequest(SECRET, [['User-Name', token.username], ['User-Password', token.password], ['Calling-Station-Id', 'aa:bb:cc:00:00:41']], { identifier: 77 });
    // The retransmission comes after the first answer (one that arrives while the first is still
    // being handled is dropped: the answer on its way serves both).
    const replies = await exchange(auth, [packet, packet], 300, 300);
    expect(replies).toHaveLength(2);
    expect(replies[0]![0]).toBe(2);
    expect(replies[1]!.equals(replies[0]!)).toBe(true);
    expect(await dropped('duplicate-answered-from-cache')).toBeGreaterThan(0);
  });
});

describe('when Redis is away', () => {
  it('sends no answer (so the AP fails over), then answers again once Redis is back', async () => {
    await server.stop();
    const during = await radclient(auth, 'auth', SECRET, 'User-Name=aigerim,User-Password=correct-horse,Message-Authenticator=0x00', 1);
    expect(during.reply).toBeUndefined();
    await server.start();
    await waitFor(async () => ((await app.inject('/readyz')).statusCode === 200 ? true : undefined), 10_000, 'readiness');
    const after = await radclient(auth, 'auth', SECRET, 'User-Name=aigerim,User-Password=correct-horse,Message-Authenticator=0x00');
    expect(after.reply).toBe('Access-Accept');
  });
});
