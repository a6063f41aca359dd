// Issue 13: a retransmission that reaches another worker or instance (WORKERS=2 shares the UDP
// socket; two instances behind one AP) gets the decision the first one took. Two app instances
// on one Redis stand for the two workers: the identical bytes (same identifier and Request
// Authenticator) are sent to A, then to B, whose own duplicate cache has never seen them.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EncodableAttribute } from 'radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDictionaries } from '../../src/radius-wire/dictionary.js';
import { Attr, Code } from '../../src/radius-wire/packet.js';
import { createStore, type Store } from '../../src/store/index.js';
import { buildTestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/process.js';
import { accessRequest, responseAuthenticatorValid } from '../helpers/radius-wire.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { ask, askAll } from '../helpers/udp-peer.js';

const SECRET = 'duplicates-secret';
const NAS = '127.0.0.1';
let server: TestRedis;
let a: FastifyInstance;
let b: FastifyInstance;
let store: Store;
let identifier = 0;

beforeAll(async () => {
  server = await startTestRedis();
  const env = { LOG_LEVEL: process.env.MK_LOG ?? 'silent', PUBLIC_URL: 'http://portal.school.test' };
  [a, b] = await Promise.all([buildTestApp(server.url, env), buildTestApp(server.url, env)]);
  store = createStore(server.client());
  await store.nas.add(NAS, { secret: SECRET, vendor: 'mikrotik', rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'arman', password: 'arman-password', role: 'student' }, 'test');
  await store.users.add({ username: 'guessed', password: 'guessed-password', role: 'student' }, 'test');
  await waitFor(async () => a.nasDirectory.find(NAS) && b.nasDirectory.find(NAS), 2000, 'the NAS at both');
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await server?.close();
});

const packet = (attributes: EncodableAttribute[]) => accessRequest(SECRET, [...attributes], { identifier: ++identifier % 256 });
const authPort = (app: FastifyInstance) => app.radius.auth.port();
/** The reply's attributes as comparable text, without the Message-Authenticator (signed per reply). */
const attributesOf = (reply: Buffer) => {
  const list: string[] = [];
  for (let offset = 20; offset < reply.length; offset += reply[offset + 1]!) {
    if (reply[offset] !== Attr.MessageAuthenticator) list.push(reply.subarray(offset, offset + reply[offset + 1]!).toString('hex'));
  }
  return list;
};

describe('a retransmission reaching another instance', () => {
  it('of a one-time token login is accepted there too, with the same attributes; a new request with the token is still refused', async () => {
    const token = await a.store.tokens.mint({ mac: '02:00:5e:13:30:01', nas: NAS, role: 'student', user: 'arman' });
    const login = packet([['User-Name', token.username], ['User-Password', token.password], ['Calling-Station-Id', '02-00-5E-13-30-01']]);
    const [atA] = await askAll(authPort(a), [login]);
    const [atB] = await askAll(authPort(b), [login]);
    expect(atA?.[0]).toBe(Code.AccessAccept);
    expect(atB?.[0]).toBe(Code.AccessAccept);
    expect(attributesOf(atB!)).toEqual(attributesOf(atA!));
    // A valid reply to the very same request: its Response Authenticator checks out.
    expect(responseAuthenticatorValid(atB!, login.subarray(4, 20), SECRET)).toBe(true);

    const reuse = packet([['User-Name', token.username], ['User-Password', token.password], ['Calling-Station-Id', '02-00-5E-13-30-01']]);
    expect((await ask(authPort(b), reuse))?.frame.code).toBe(Code.AccessReject);
    expect((await ask(authPort(a), reuse))?.frame.code).toBe(Code.AccessReject);
  });

  it('of a wrong password counts one failed attempt, not one per instance', async () => {
    const wrong = packet([['User-Name', 'arman'], ['User-Password', 'not-the-password'], ['Calling-Station-Id', '02-00-5E-13-30-02']]);
    expect((await ask(authPort(a), wrong))?.frame.code).toBe(Code.AccessReject);
    expect((await ask(authPort(b), wrong))?.frame.code).toBe(Code.AccessReject);
    expect(await server.client().get('mk:auth-attempts:arman')).toBe('1');
  });

  it('of a right password gives its attempt back once: the count is not taken below the failures', async () => {
    await server.client().del('mk:auth-attempts:arman');
    const wrong = packet([['User-Name', 'arman'], ['User-Password', 'not-the-password']]);
    expect((await ask(authPort(a), wrong))?.frame.code).toBe(Code.AccessReject);
    const right = packet([['User-Name', 'arman'], ['User-Password', 'arman-password']]);
    expect((await ask(authPort(a), right))?.frame.code).toBe(Code.AccessAccept);
    expect((await ask(authPort(b), right))?.frame.code).toBe(Code.AccessAccept);
    expect(await server.client().get('mk:auth-attempts:arman')).toBe('1');
  });
});

/**
 * What a NAS holding the secret can send: Access-Requests that keep one Identifier and Request
 * Authenticator and change their attributes. Not retransmissions (RFC 2866 §3: the Identifier
 * changes whenever the attributes do), so each must be decided, and counted, on its own.
 */
function sameHeader(): (attributes: EncodableAttribute[]) => Buffer {
  const radius = loadDictionaries();
  const authenticator = randomBytes(16);
  const id = ++identifier % 256;
  return (attributes) => radius.encode({ code: 'Access-Request', identifier: id, authenticator, attributes, secret: SECRET, add_message_authenticator: true });
}

describe('a packet that keeps the identifier and authenticator of an earlier one but not its content', () => {
  it('is a new password check: the 11th wrong guess is refused as too many, and so is the right password after them', async () => {
    const guess = sameHeader();
    const messages: string[] = [];
    // Each from its own socket (a fresh source port), alternating instances.
    for (let attempt = 0; attempt < 12; attempt++) {
      const reply = await ask(authPort(attempt % 2 ? b : a), guess([['User-Name', 'guessed'], ['User-Password', `guess-${attempt}`]]));
      messages.push(reply?.attributes.string(Attr.ReplyMessage) ?? 'no reply');
    }
    expect(messages.slice(0, 10)).toEqual(Array(10).fill('Invalid username or password'));
    expect(messages.slice(10)).toEqual(Array(2).fill('Too many attempts; wait a minute and try again'));
    const right = await ask(authPort(a), guess([['User-Name', 'guessed'], ['User-Password', 'guessed-password']]));
    expect(right?.frame.code).toBe(Code.AccessReject);
    expect(await server.client().get('mk:auth-attempts:guessed')).toBe('13');
  });

  it('with a token minted without a MAC and another Calling-Station-Id is refused: the token is used', async () => {
    const token = await a.store.tokens.mint({ mac: '', nas: NAS, role: 'student' });
    const login = sameHeader();
    const from = (mac: string) => login([['User-Name', token.username], ['User-Password', token.password], ['Calling-Station-Id', mac]]);
    expect((await ask(authPort(a), from('02-00-5E-13-30-03')))?.frame.code).toBe(Code.AccessAccept);
    const replay = await ask(authPort(b), from('02-00-5E-13-30-99'));
    expect(replay?.frame.code).toBe(Code.AccessReject);
    expect(replay?.attributes.string(Attr.ReplyMessage)).toBe('Invalid or expired login token');
    expect((await ask(authPort(a), from('02-00-5E-13-30-99')))?.frame.code).toBe(Code.AccessReject);
    // The true retransmission still gets its accept.
    expect((await ask(authPort(b), from('02-00-5E-13-30-03')))?.frame.code).toBe(Code.AccessAccept);
  });
});
