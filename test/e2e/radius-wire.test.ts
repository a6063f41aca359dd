// Exact bytes on the wire: where the Message-Authenticator goes, Proxy-State rules for a legacy
// NAS, and a bounded fuzz run after which the server still answers correctly.
import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attr } from '../../src/radius-wire/packet.js';
import { waitFor } from '../helpers/process.js';
import { accessRequest, accountingRequest, exchange, replyMessageAuthenticatorValid, responseAuthenticatorValid } from '../helpers/radius-wire.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';

const SECRET = 'wire-secret-1';
const LEGACY_SECRET = 'legacy-secret-2';
let fixture: AppFixture;
let app: FastifyInstance;
let auth: number;
let acct: number;

beforeAll(async () => {
  fixture = await startAppFixture();
  ({ app } = fixture);
  const { store } = fixture;
  ({ auth, acct } = fixture);
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', rejectDelayMs: 0 }, 'test');
  await store.nas.add('127.0.0.2', { secret: LEGACY_SECRET, vendor: 'generic', requireMessageAuthenticator: false, rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'wire', password: 'wire-password', role: 'student' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.2'), 2000, 'the NAS clients');
});
afterAll(async () => {
  await fixture?.close();
});

const login = (password: string, extra: [string | number, string | Buffer][] = []) => [['User-Name', 'wire'], ['User-Password', password], ...extra] as [string | number, string | Buffer][];

describe('reply signing', () => {
  it.each([['Access-Accept', 'wire-password', 2], ['Access-Reject', 'bad-password', 3]])('puts the Message-Authenticator first in an %s, and both authenticators verify', async (_name, password, code) => {
    const request = accessRequest(SECRET, login(password));
    const [reply] = await exchange(auth, [request], 400);
    expect(reply![0]).toBe(code);
    expect(reply![20]).toBe(Attr.MessageAuthenticator);
    expect(reply![21]).toBe(18);
    expect(replyMessageAuthenticatorValid(reply!, request.subarray(4, 20), SECRET)).toBe(true);
    expect(responseAuthenticatorValid(reply!, request.subarray(4, 20), SECRET)).toBe(true);
  });

  it('verifies a Message-Authenticator in accounting when present, signed over a zero authenticator', async () => {
    const good = accountingRequest(SECRET, [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'w-1'], ['User-Name', 'wire']], 1, true);
    const [reply] = await exchange(acct, [good], 300);
    expect(reply![0]).toBe(5);
    expect(responseAuthenticatorValid(reply!, good.subarray(4, 20), SECRET)).toBe(true);
    const withBadMa = accountingRequest(SECRET, [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'w-2'], [Attr.MessageAuthenticator, Buffer.alloc(16, 9)]]);
    expect(await exchange(acct, [withBadMa], 300)).toEqual([]);
  });
});

describe('a legacy NAS exempted from Message-Authenticator', () => {
  it('is answered without one, but not when Proxy-State comes without one', async () => {
    const [plain] = await exchange(auth, [accessRequest(LEGACY_SECRET, login('wire-password'), { messageAuthenticator: false })], 400, 0, '127.0.0.2');
    expect(plain![0]).toBe(2);
    expect(plain![20]).toBe(Attr.MessageAuthenticator);
    const proxied = accessRequest(LEGACY_SECRET, login('wire-password', [['Proxy-State', Buffer.from('p1')]]), { messageAuthenticator: false });
    expect(await exchange(auth, [proxied], 400, 0, '127.0.0.2')).toEqual([]);
  });

  it('echoes Proxy-State values in order when the request is signed', async () => {
    const request = accessRequest(LEGACY_SECRET, login('wire-password', [['Proxy-State', Buffer.from('first')], ['Proxy-State', Buffer.from('second')]]));
    const [reply] = await exchange(auth, [request], 400, 0, '127.0.0.2');
    const tail = reply!.subarray(reply!.length - 14);
    expect([...tail]).toEqual([33, 7, ...Buffer.from('first'), 33, 8, ...Buffer.from('second')].slice(-14));
  });
});

describe('bounded fuzzing', () => {
  it('survives random and mutated packets, then still answers a valid request correctly', async () => {
    const seeds = [accessRequest(SECRET, login('wire-password')), accountingRequest(SECRET, [['Acct-Status-Type', 'Interim-Update'], ['Acct-Session-Id', 'fz'], ['Acct-Input-Octets', 5]])];
    const packets: Buffer[] = [];
    for (let i = 0; i < 1500; i++) packets.push(randomBytes(randomInt(0, 300)));
    for (let i = 0; i < 1500; i++) {
      const mutated = Buffer.from(seeds[i % 2]!);
      for (let flips = randomInt(1, 4); flips > 0; flips--) mutated[randomInt(mutated.length)] = randomInt(256);
      packets.push(i % 7 === 0 ? mutated.subarray(0, randomInt(mutated.length)) : mutated);
    }
    await Promise.all([exchange(auth, packets.slice(0, 1500), 200), exchange(acct, packets.slice(1500), 200), exchange(auth, packets.slice(1500), 200)]);
    const request = accessRequest(SECRET, login('wire-password'));
    // The password check waits behind the fuzz's backlog: on a loaded machine that took over 500 ms.
    const [reply] = await exchange(auth, [request], 2000);
    expect(reply![0]).toBe(2);
    expect(replyMessageAuthenticatorValid(reply!, request.subarray(4, 20), SECRET)).toBe(true);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/mektep_radius_dropped_total\{reason="malformed-[a-z-]+"\} \d+/);
  });
});
