// The two RADIUS decisions that change state, named by Access-Request (transport.ts
// requestIdentity) so that copies of one request — a retransmission reaching another worker or
// instance — get one decision: a one-time token is consumed by one request (its copies are told
// 'retransmission', anyone else 'used', and the consumed token lives on only for the duplicate
// window); a password check counts once toward the per-user limit, every copy gets the first
// copy's answer, and a right password gives that attempt back once whichever copy gets there first.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { requestIdentity } from '../../src/radius/transport.js';
import { loadDictionaries } from '../../src/radius-wire/dictionary.js';
import { parseFrame, type Frame } from '../../src/radius-wire/packet.js';
import { createAttemptLimiter } from '../../src/store/attempts.js';
import { DUPLICATE_WINDOW_MS } from '../../src/store/keys.js';
import { createTokenStore } from '../../src/store/tokens.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
});
beforeEach(async () => {
  await redis.flushdb();
});
afterAll(async () => {
  await server?.close();
});

describe('consuming a login token', () => {
  it('answers consumed once, retransmission to its copies, used to anyone else', async () => {
    const tokens = createTokenStore(redis);
    const token = await tokens.mint({ mac: '02:00:5e:13:40:01', nas: '127.0.0.1', role: 'student' });
    expect(await tokens.consume(token.username, 'a')).toBe('consumed');
    expect(await tokens.consume(token.username, 'a')).toBe('retransmission');
    expect(await tokens.consume(token.username, 'b')).toBe('used');
    expect(await tokens.consume(token.username, 'a')).toBe('retransmission');
    const ttl = await redis.pttl(`mk:token:${token.username}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(DUPLICATE_WINDOW_MS);
  });

  it('lets exactly one of many requests racing for a token consume it', async () => {
    const tokens = createTokenStore(redis);
    const token = await tokens.mint({ mac: '02:00:5e:13:40:02', nas: '127.0.0.1', role: 'student' });
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((request) => tokens.consume(token.username, request)));
    expect(results.filter((result) => result === 'consumed')).toHaveLength(1);
    expect(results.filter((result) => result === 'used')).toHaveLength(4);
  });

  it('answers used for a token that is gone', async () => {
    expect(await createTokenStore(redis).consume('tok-never-minted', 'a')).toBe('used');
  });

});

const count = async () => Number(await redis.get('mk:auth-attempts:aliya'));

describe('attempts named by request', () => {
  it('counts the copies of one request once, and new requests each', async () => {
    const attempts = createAttemptLimiter(redis, 3);
    for (let copy = 0; copy < 3; copy++) expect(await attempts.allow('aliya', '127.0.0.1|7|first')).toBe(true);
    expect(await count()).toBe(1);
    expect(await attempts.allow('aliya', '127.0.0.1|8|second')).toBe(true);
    expect(await count()).toBe(2);
  });

  it('gives a refused request the same refusal at every copy, and an allowed one its allowance', async () => {
    const attempts = createAttemptLimiter(redis, 2);
    expect(await attempts.allow('aliya', 'r1')).toBe(true);
    expect(await attempts.allow('aliya', 'r2')).toBe(true);
    expect(await attempts.allow('aliya', 'r3')).toBe(false);
    // The copies: each gets what its first copy got, though the user is now past the limit.
    expect(await attempts.allow('aliya', 'r2')).toBe(true);
    expect(await attempts.allow('aliya', 'r3')).toBe(false);
    expect(await count()).toBe(3);
  });

  it('gives back once per request, whichever copy does it', async () => {
    const attempts = createAttemptLimiter(redis);
    await attempts.allow('aliya', 'wrong');
    await attempts.allow('aliya', 'right');
    await attempts.allow('aliya', 'right');
    await attempts.giveBack('aliya', 'right');
    await attempts.giveBack('aliya', 'right');
    expect(await count()).toBe(1);
    // The request's own record lives for the duplicate window only.
    expect(await redis.pttl('mk:auth-attempt-of:right')).toBeGreaterThan(0);
    expect(await redis.pttl('mk:auth-attempt-of:right')).toBeLessThanOrEqual(DUPLICATE_WINDOW_MS);
  });

  it('leaves no record behind when a give-back comes after the record\'s life', async () => {
    const attempts = createAttemptLimiter(redis);
    await attempts.giveBack('aliya', 'long-gone');
    expect(await redis.exists('mk:auth-attempt-of:long-gone')).toBe(0);
  });

  it('still counts every call of a caller that names no request', async () => {
    const attempts = createAttemptLimiter(redis);
    await attempts.allow('aliya');
    await attempts.allow('aliya');
    await attempts.giveBack('aliya');
    expect(await count()).toBe(1);
  });
});

/** Access-Requests for one user that keep the Identifier and Request Authenticator and change only `vary`. */
function copies(count: number, vary: (copy: number) => [string, string]): Frame[] {
  const radius = loadDictionaries();
  const authenticator = randomBytes(16);
  return Array.from({ length: count }, (_, copy) => {
    const packet = radius.encode({ code: 'Access-Request', identifier: 7, authenticator, attributes: [['User-Name', 'aliya'], vary(copy)], secret: 's', add_message_authenticator: true });
    return parseFrame(packet) as Frame;
  });
}
const guesses = (count: number) => copies(count, (guess) => ['User-Password', `guess-${guess}`]);

describe('the identity of an Access-Request (requestIdentity)', () => {
  it('is the same for the same bytes from the same address, and differs with the address', () => {
    const [frame] = guesses(1);
    expect(requestIdentity('10.0.0.1', frame!)).toBe(requestIdentity('10.0.0.1', { ...frame!, packet: Buffer.from(frame!.packet) }));
    expect(requestIdentity('10.0.0.2', frame!)).not.toBe(requestIdentity('10.0.0.1', frame!));
  });

  it('tells apart packets that share Identifier and Request Authenticator: 100 password guesses are 100 attempts', async () => {
    const attempts = createAttemptLimiter(redis);
    let allowed = 0;
    for (const frame of guesses(100)) if (await attempts.allow('aliya', requestIdentity('10.0.0.1', frame))) allowed++;
    expect(allowed).toBe(10);
    expect(await count()).toBe(100);
  });

  it('tells apart a copy from another device (Calling-Station-Id): it cannot use the token the first one consumed', async () => {
    const tokens = createTokenStore(redis);
    const token = await tokens.mint({ mac: '', nas: '127.0.0.1', role: 'student' });
    const [first, other] = copies(2, (device) => ['Calling-Station-Id', `02-00-5E-13-40-0${device}`]);
    expect(await tokens.consume(token.username, requestIdentity('10.0.0.1', first!))).toBe('consumed');
    expect(await tokens.consume(token.username, requestIdentity('10.0.0.1', other!))).toBe('used');
    expect(await tokens.consume(token.username, requestIdentity('10.0.0.1', first!))).toBe('retransmission');
  });
});
