// Live enforcement against a real RFC 5176 peer: FreeRADIUS listening for CoA and Disconnect
// (it ACKs them and logs what arrived), standing in for the access point.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import { buildTestApp } from '../helpers/app.js';
import { startCoaPeer, type FreeRadius } from '../helpers/freeradius.js';
import { runCli, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const SECRET = 'coa-secret-77';
const dir = mkdtempSync(join(tmpdir(), 'mk-coa-'));
const coaLog = join(dir, 'coa.log');
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let peer: FreeRadius;
let auth: number;
let acct: number;

function peerLines(): string[] {
  return existsSync(coaLog) ? readFileSync(coaLog, 'utf8').trim().split('\n').filter(Boolean) : [];
}

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
  store = createStore(server.client());
  auth = app.radius.auth.port();
  acct = app.radius.acct.port();
  const { peer: coaPeer, coaPort } = await startCoaPeer(dir, SECRET, coaLog);
  peer = coaPeer;
  await store.schools.add({ id: 'sch-9', name: 'School 9', timezone: 'Asia/Almaty' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', school: 'sch-9', coaPort, rejectDelayMs: 0 }, 'test');
  await store.policies.set('student', undefined, { downRate: 5_000_000, upRate: 1_000_000, dailyQuota: 10_000_000 }, [], 'test');
  await store.users.add({ username: 'erlan', password: 'erlan-password', role: 'student', school: 'sch-9' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await app?.close();
  await peer?.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('live enforcement with CoA and Disconnect (RFC 5176)', () => {
  let classHex: string;

  it('moves a live student session to a new rate without a new login', async () => {
    const login = await radclient(auth, 'auth', SECRET, 'User-Name=erlan,User-Password=erlan-password,Calling-Station-Id=AA-BB-CC-09-00-01,Message-Authenticator=0x00');
    expect(login.attributes['Mikrotik-Rate-Limit']).toEqual(['1000k/5000k']);
    classHex = login.attributes.Class![0]!;
    await radclient(acct, 'acct', SECRET, `Acct-Status-Type=Start,Acct-Session-Id=live-1,User-Name=erlan,Calling-Station-Id=AA-BB-CC-09-00-01,NAS-IP-Address=127.0.0.1,Class=${classHex}`);

    const changed = await runCli(['policy', 'set', 'student', '--down', '2M', '--json'], { REDIS_URL: server.url });
    expect((JSON.parse(changed.stdout) as { sessions: unknown }).sessions).toEqual([{ session: '127.0.0.1|live-1', action: 'coa', outcome: 'ack' }]);
    const line = await waitFor(async () => peerLines().find((row) => row.startsWith('CoA-Request')), 5000, 'the CoA at the peer');
    expect(line).toContain('user=erlan');
    expect(line).toContain('sess=live-1');
    expect(line).toContain('rate=1000k/2000k');
    expect(line).toContain('mac=AA-BB-CC-09-00-01');
    const audit = await store.audit.recent(5);
    expect(audit.find((entry) => entry.action === 'session.coa')).toMatchObject({ target: '127.0.0.1|live-1', detail: expect.objectContaining({ outcome: 'ack' }) });
  });

  it('disconnects a student over the daily quota, then refuses them with the reason', async () => {
    const over = await radclient(acct, 'acct', SECRET, `Acct-Status-Type=Interim-Update,Acct-Session-Id=live-1,User-Name=erlan,Calling-Station-Id=AA-BB-CC-09-00-01,Acct-Input-Octets=1000000,Acct-Output-Octets=9500000,Class=${classHex}`);
    expect(over.reply).toBe('Accounting-Response');
    const line = await waitFor(async () => peerLines().find((row) => row.startsWith('Disconnect-Request')), 5000, 'the Disconnect at the peer');
    expect(line).toContain('sess=live-1');
    const again = await radclient(auth, 'auth', SECRET, 'User-Name=erlan,User-Password=erlan-password,Message-Authenticator=0x00');
    expect(again.reply).toBe('Access-Reject');
    expect(again.attributes['Reply-Message']).toEqual(['Your daily data allowance is used up; it renews at midnight']);
    const audit = await store.audit.recent(10);
    expect(audit.find((entry) => entry.action === 'session.disconnect')).toMatchObject({ actor: 'system:radius', detail: expect.objectContaining({ reason: 'Your daily data allowance is used up; it renews at midnight', outcome: 'ack' }) });
  });

  it('kicks a session on an admin\'s word, and ends a disabled user\'s sessions', async () => {
    await radclient(acct, 'acct', SECRET, 'Acct-Status-Type=Start,Acct-Session-Id=live-2,User-Name=guest1,Calling-Station-Id=AA-BB-CC-09-00-02');
    const kicked = await runCli(['session', 'kick', '127.0.0.1|live-2'], { REDIS_URL: server.url });
    expect(kicked.stdout).toContain('1 disconnected');
    expect(kicked.code).toBe(0);
    await store.users.add({ username: 'zarina', password: 'zarina-password', role: 'teacher', school: 'sch-9' }, 'test');
    // Her session is hers by the Class her login was given (a User-Name alone charges nobody).
    const zarina = await radclient(auth, 'auth', SECRET, 'User-Name=zarina,User-Password=zarina-password,Message-Authenticator=0x00');
    await radclient(acct, 'acct', SECRET, `Acct-Status-Type=Start,Acct-Session-Id=live-3,User-Name=zarina,Class=${zarina.attributes.Class![0]!}`);
    const disabled = await runCli(['user', 'disable', 'zarina', '--json'], { REDIS_URL: server.url });
    expect((JSON.parse(disabled.stdout) as { sessions: unknown }).sessions).toEqual([{ session: '127.0.0.1|live-3', action: 'disconnect', outcome: 'ack' }]);
    await waitFor(async () => (peerLines().some((row) => row.includes('sess=live-3')) ? true : undefined), 5000, 'the Disconnect of zarina');
    expect((await runCli(['session', 'kick', '127.0.0.1|nope'], { REDIS_URL: server.url })).stderr).toContain('no live session');
  });
});
