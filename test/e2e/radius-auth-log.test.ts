// The authentication log, read as an operator would: one info line per Access-Request decision
// (accept, reject, drop) with outcome, reason code, user, MAC, NAS, school, role and method;
// never the password; an unknown NAS warned about once per address per minute.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { targetFromUrl } from '../../src/redis/connection.js';
import { createStore, type Store } from '../../src/store/index.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { accessRequest, exchange } from '../helpers/radius-wire.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const SECRET = 'auth-log-secret-6';
const PASSWORD = 'Correct-Horse-42';
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let auth: number;
let lines: Record<string, unknown>[] = [];
let raw = '';

beforeAll(async () => {
  server = await startTestRedis();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({ REDIS_URL: server.url, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0', LOG_LEVEL: 'info' });
  app = await buildApp({ config, logger: createLogger('info', sink), redis: targetFromUrl(server.url) });
  await app.ready();
  auth = app.radius.auth.port();
  store = createStore(server.client());
  await store.schools.add({ id: 'sch-9', name: 'School 9' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', school: 'sch-9', rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'aigerim', password: PASSWORD, role: 'student', school: 'sch-9' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});
beforeEach(() => {
  lines = [];
  raw = '';
});

const authLines = () => lines.filter((line) => line.event === 'auth');

describe('the authentication log', () => {
  it('writes one info line per accept and per reject, with the reason and who, never the password', async () => {
    const login = (password: string) => radclient(auth, 'auth', SECRET, `User-Name=Aigerim,User-Password=${password},Calling-Station-Id=AA-BB-CC-00-00-51,Message-Authenticator=0x00`);
    expect((await login(PASSWORD)).reply).toBe('Access-Accept');
    expect((await login('Wrong-Horse-42')).reply).toBe('Access-Reject');
    expect(authLines()).toEqual([
      expect.objectContaining({ level: 30, outcome: 'accept', reason: 'ok', user: 'aigerim', mac: 'aa:bb:cc:00:00:51', nas: '127.0.0.1', school: 'sch-9', role: 'student', method: 'pap' }),
      expect.objectContaining({ level: 30, outcome: 'reject', reason: 'bad-password', user: 'aigerim', mac: 'aa:bb:cc:00:00:51', nas: '127.0.0.1', school: 'sch-9', method: 'pap', message: 'Invalid username or password' }),
    ]);
    expect(raw).not.toContain(PASSWORD);
    expect(raw).not.toContain('Wrong-Horse-42');
  });

  it('names the reason of each kind of refusal, and logs a drop with its reason', async () => {
    await Promise.all([
      radclient(auth, 'auth', SECRET, 'User-Name=nobody,User-Password=whatever-1,Message-Authenticator=0x00'),
      radclient(auth, 'auth', SECRET, 'User-Name=aa-bb-cc-00-00-52,Calling-Station-Id=AA-BB-CC-00-00-52,Service-Type=Call-Check,Message-Authenticator=0x00'),
      radclient(auth, 'auth', SECRET, 'User-Name=aigerim,CHAP-Password=whatever-2,Message-Authenticator=0x00'),
      radclient(auth, 'auth', 'a-wrong-secret', 'User-Name=aigerim,User-Password=whatever-3,Message-Authenticator=0x00', 1),
    ]);
    const byReason = new Map(authLines().map((line) => [line.reason, line]));
    expect(byReason.get('unknown-user')).toMatchObject({ outcome: 'reject', user: 'nobody', method: 'pap' });
    expect(byReason.get('unknown-device')).toMatchObject({ outcome: 'reject', mac: 'aa:bb:cc:00:00:52', method: 'mac' });
    expect(byReason.get('chap-for-user')).toMatchObject({ outcome: 'reject', method: 'chap' });
    expect(byReason.get('bad-message-authenticator')).toMatchObject({ outcome: 'drop', user: 'aigerim', nas: '127.0.0.1' });
    expect(authLines()).toHaveLength(4);
  });

  it('logs an EAP request as refused because EAP is not supported', async () => {
    const eap = Buffer.from([2, 9, 0, 12, 1, ...Buffer.from('aigerim')]);
    await exchange(auth, [accessRequest(SECRET, [['User-Name', 'aigerim'], [79, eap]])], 400);
    expect(authLines()).toEqual([expect.objectContaining({ outcome: 'reject', reason: 'eap-not-supported', method: 'eap', msg: 'radius auth reject: EAP not supported' })]);
  });

  it('warns about an unknown NAS once per address per minute, however many packets it sends', async () => {
    const packet = accessRequest('whatever-secret', [['User-Name', 'aigerim'], ['User-Password', 'x']]);
    await exchange(auth, [packet, packet, packet, packet, packet], 300, 0, '127.0.0.9');
    const warnings = lines.filter((line) => line.event === 'unknown-nas');
    expect(warnings).toEqual([expect.objectContaining({ level: 40, peer: '127.0.0.9' })]);
    expect(authLines()).toEqual([]);
  });
});
