// Accounting from an access point (radclient) into the live session table in Redis.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { runCli, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import type { TestRedis } from '../helpers/redis.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';

const SECRET = 'acct-secret-42';
let fixture: AppFixture;
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let acct: number;
let auth: number;

beforeAll(async () => {
  fixture = await startAppFixture();
  ({ server, app } = fixture);
  store = fixture.store;
  ({ auth, acct } = fixture);
  await store.schools.add({ id: 'sch-3', name: 'School 3' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-3' }, 'test');
  await store.users.add({ username: 'dana', password: 'dana-password', role: 'teacher', school: 'sch-3' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
});

const start = 'Acct-Status-Type=Start,Acct-Session-Id=s-100,User-Name=dana,Calling-Station-Id=AA-BB-CC-00-01-00,Framed-IP-Address=10.3.0.17,NAS-Port=7';

describe('accounting', () => {
  it('records Start with its indexes, updates on Interim (Gigawords included), and is idempotent', async () => {
    const login = await radclient(auth, 'auth', SECRET, 'User-Name=dana,User-Password=dana-password,Message-Authenticator=0x00');
    expect(login.reply).toBe('Access-Accept');
    const classHex = login.attributes.Class![0]!;
    expect((await radclient(acct, 'acct', SECRET, `${start},Class=${classHex}`)).reply).toBe('Accounting-Response');
    const session = await store.sessions.get('127.0.0.1', 's-100');
    expect(session).toMatchObject({ user: 'dana', role: 'teacher', school: 'sch-3', mac: 'aa:bb:cc:00:01:00', ip: '10.3.0.17', inOctets: 0, outOctets: 0 });
    expect(await store.sessions.byIp('127.0.0.1', '10.3.0.17')).toMatchObject({ sessionId: 's-100' });
    expect((await store.sessions.list({ school: 'sch-3' })).map((s) => s.sessionId)).toEqual(['s-100']);

    const interim = `Acct-Status-Type=Interim-Update,Acct-Session-Id=s-100,User-Name=dana,Class=${classHex},Acct-Input-Octets=1000,Acct-Output-Octets=705032704,Acct-Output-Gigawords=1,Framed-IP-Address=10.3.0.17`;
    expect((await radclient(acct, 'acct', SECRET, interim)).reply).toBe('Accounting-Response');
    expect((await radclient(acct, 'acct', SECRET, interim)).reply).toBe('Accounting-Response');
    const updated = await store.sessions.get('127.0.0.1', 's-100');
    expect(updated).toMatchObject({ inOctets: 1000, outOctets: 5_000_000_000, startedAt: session!.startedAt });
    expect((await store.sessions.list({ user: 'dana' })).length).toBe(1);

    const cli = await runCli(['session', 'list', '--school', 'sch-3', '--json'], { REDIS_URL: server.url });
    expect(JSON.parse(cli.stdout)).toEqual([expect.objectContaining({ user: 'dana', sessionId: 's-100', outOctets: 5_000_000_000 })]);

    const stop = 'Acct-Status-Type=Stop,Acct-Session-Id=s-100,User-Name=dana,Acct-Input-Octets=2000,Acct-Output-Octets=10,Acct-Terminate-Cause=User-Request';
    expect((await radclient(acct, 'acct', SECRET, stop)).reply).toBe('Accounting-Response');
    expect((await radclient(acct, 'acct', SECRET, stop)).reply).toBe('Accounting-Response');
    expect(await store.sessions.get('127.0.0.1', 's-100')).toBeUndefined();
    expect(await store.sessions.byIp('127.0.0.1', '10.3.0.17')).toBeUndefined();
    expect(await store.sessions.list({ user: 'dana' })).toEqual([]);
    const log = await server.client().xrange('mk:session-log', '-', '+');
    expect(log).toHaveLength(1);
    expect(log[0]![1]).toEqual(expect.arrayContaining(['user', 'dana', 'cause', 'User-Request']));
  });

  it('records sessions of users Mektep did not authenticate, with the name the NAS gave but charged to nobody', async () => {
    await radclient(acct, 'acct', SECRET, 'Acct-Status-Type=Start,Acct-Session-Id=s-200,User-Name=Visitor,Calling-Station-Id=AA-BB-CC-00-02-00');
    const session = await store.sessions.get('127.0.0.1', 's-200');
    expect(session).toMatchObject({ userName: 'Visitor', school: 'sch-3', mac: 'aa:bb:cc:00:02:00' });
    expect(session?.user).toBeUndefined();
  });

  it('closes every session of the NAS on Accounting-On (the NAS rebooted)', async () => {
    await radclient(acct, 'acct', SECRET, 'Acct-Status-Type=Start,Acct-Session-Id=s-300,User-Name=dana');
    expect((await store.sessions.list({ school: 'sch-3' })).length).toBe(2);
    expect((await radclient(acct, 'acct', SECRET, 'Acct-Status-Type=Accounting-On,Acct-Session-Id=0')).reply).toBe('Accounting-Response');
    expect(await store.sessions.list()).toEqual([]);
  });

  it('answers a record without Acct-Session-Id instead of letting the NAS resend it forever', async () => {
    expect((await radclient(acct, 'acct', SECRET, 'Acct-Status-Type=Start,User-Name=dana')).reply).toBe('Accounting-Response');
    expect(await store.sessions.list()).toEqual([]);
  });
});
