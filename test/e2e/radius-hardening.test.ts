// Access-Request hardening against the real app, radclient, raw UDP and a real redis-server that
// the test stalls with SIGSTOP: no late answers from a stalled Redis, Status-Server only when
// ready, the rate limit counting failures only, the same work for unknown users, EAP refused with
// an EAP-Failure, and Call-Check believing only the MAC the access point saw.
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attr } from '../../src/radius-wire/packet.js';
import type { Store } from '../../src/store/index.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { accessRequest, exchange } from '../helpers/radius-wire.js';

const SECRET = 'hardening-secret-4';
const COMMAND_TIMEOUT_MS = 500;
const DEVICE = '00:1b:63:00:00:20';
let fixture: AppFixture;
let app: FastifyInstance;
let store: Store;
let redis: Redis;
let auth: number;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  fixture = await startAppFixture({ REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) });
  ({ app, store, auth } = fixture);
  redis = fixture.server.client();
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'aigerim', password: 'correct-horse', role: 'student' }, 'test');
  await store.devices.add({ mac: DEVICE, role: 'student' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
});

async function dropped(reason: string): Promise<number> {
  const line = (await app.inject('/metrics')).body.split('\n').find((row) => row.startsWith(`mektep_radius_dropped_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Runs `during` while redis-server is paused (SIGSTOP): the connection stays open, nothing answers. */
async function stalled<T>(during: () => Promise<T>): Promise<T> {
  const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
  process.kill(pid, 'SIGSTOP');
  try {
    return await during();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

/** The reply's attributes, walked straight from the bytes (RFC 2865 §5). */
function attributesOf(reply: Buffer): [number, Buffer][] {
  const found: [number, Buffer][] = [];
  for (let offset = 20; offset + 2 <= reply.length; offset += reply[offset + 1]!) found.push([reply[offset]!, reply.subarray(offset + 2, offset + reply[offset + 1]!)]);
  return found;
}

/** One request from its own socket; milliseconds until its reply. */
async function timed(packet: Buffer): Promise<{ ms: number; reply: Buffer | undefined }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const started = performance.now();
  const reply = await new Promise<Buffer | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 3000);
    socket.once('message', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    socket.send(packet, auth, '127.0.0.1');
  });
  socket.close();
  return { ms: performance.now() - started, reply };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('a stalled Redis (item 4)', () => {
  it('drops and counts what it cannot answer within the command timeout, and never answers late', async () => {
    const before = await dropped('redis-timeout');
    const burst = Array.from({ length: 20 }, (_, i) => accessRequest(SECRET, [['User-Name', `burst-${i}`], ['User-Password', 'nope']], { identifier: i }));
    const outcome = await stalled(async () => {
      // radclient waits 6 s and the raw burst listens 4 s: an answer sent once Redis resumes
      // (after 2 s) would still reach them.
      const late = radclient(auth, 'auth', SECRET, 'User-Name=aigerim,User-Password=correct-horse,Message-Authenticator=0x00', 6);
      const replies = exchange(auth, burst, 4000);
      await sleep(2000);
      return { late, replies, countedWhileStalled: (await dropped('redis-timeout')) - before };
    });
    expect(outcome.countedWhileStalled).toBe(21);
    expect((await outcome.late).reply).toBeUndefined();
    expect(await outcome.replies).toEqual([]);

    await waitFor(async () => ((await app.inject('/readyz')).statusCode === 200 ? true : undefined), 5000, 'readiness');
    expect((await radclient(auth, 'auth', SECRET, 'User-Name=aigerim,User-Password=correct-horse,Message-Authenticator=0x00')).reply).toBe('Access-Accept');
  });
});

describe('Status-Server follows readiness (item 12)', () => {
  it('is not answered while Redis is stalled or stopped, like /readyz, and is answered again after', async () => {
    const whileStalled = await stalled(async () => {
      const [status, ready] = await Promise.all([radclient(auth, 'status', SECRET, 'Message-Authenticator=0x00', 2), app.inject('/readyz')]);
      return { status: status.reply, ready: ready.statusCode };
    });
    expect(whileStalled).toEqual({ status: undefined, ready: 503 });

    await fixture.server.stop();
    try {
      const [status, ready] = await Promise.all([radclient(auth, 'status', SECRET, 'Message-Authenticator=0x00', 1), app.inject('/readyz')]);
      expect(status.reply).toBeUndefined();
      expect(ready.statusCode).toBe(503);
    } finally {
      await fixture.server.start();
    }
    await waitFor(async () => ((await app.inject('/readyz')).statusCode === 200 ? true : undefined), 10_000, 'readiness');
    expect((await radclient(auth, 'status', SECRET, 'Message-Authenticator=0x00')).reply).toBe('Access-Accept');
    expect(await dropped('not-ready')).toBeGreaterThanOrEqual(2);
  });
});

describe('the per-user rate limit (item 13)', () => {
  it('counts failed checks only: 15 correct logins in a minute are all accepted', async () => {
    await store.users.add({ username: 'daily', password: 'right-one', role: 'student' }, 'test');
    const replies: (string | undefined)[] = [];
    for (let i = 0; i < 15; i += 1) replies.push((await radclient(auth, 'auth', SECRET, 'User-Name=daily,User-Password=right-one,Message-Authenticator=0x00')).reply);
    expect(replies).toEqual(Array(15).fill('Access-Accept'));
  });

  it('still checks at most the allowance when 40 guesses arrive at once, the right one among them', async () => {
    await store.users.add({ username: 'guessed', password: 'password-7', role: 'student' }, 'test');
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 20 ? 'password-7' : `guess-${i}`));
    const packets = guesses.map((password, i) => accessRequest(SECRET, [['User-Name', 'guessed'], ['User-Password', password]], { identifier: i }));
    const replies = await exchange(auth, packets, 1500);
    const messages = replies.map((reply) => attributesOf(reply).find(([type]) => type === Attr.ReplyMessage)?.[1].toString());
    const checkedAndWrong = messages.filter((message) => message === 'Invalid username or password').length;
    const accepted = replies.filter((reply) => reply[0] === 2).length;
    expect(replies).toHaveLength(40);
    expect(checkedAndWrong).toBeLessThanOrEqual(10);
    // The right guess gives its count back, which lets at most one more guess be checked.
    expect(checkedAndWrong + accepted).toBeLessThanOrEqual(11);
    expect(messages.filter((message) => message === 'Too many attempts; wait a minute and try again').length).toBeGreaterThanOrEqual(29);
  });
});

describe('username enumeration (item 14, RADIUS side)', () => {
  it('takes as long to refuse an unknown user as a known user with a wrong password', async () => {
    const rounds = 7;
    for (let i = 0; i < rounds; i += 1) await store.users.add({ username: `known-${i}`, password: 'the-password', role: 'student' }, 'test');
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so a busy machine slows both sides alike.
    for (let i = 0; i < rounds; i += 1) {
      const a = await timed(accessRequest(SECRET, [['User-Name', `known-${i}`], ['User-Password', 'wrong-password']]));
      const b = await timed(accessRequest(SECRET, [['User-Name', `nobody-${i}`], ['User-Password', 'wrong-password']]));
      expect([a.reply?.[0], b.reply?.[0]]).toEqual([3, 3]);
      known.push(a.ms);
      unknown.push(b.ms);
    }
    // Today's figures: about 40 ms (a scrypt) against 2 ms (none). Generous margin for load.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });
});

describe('EAP and Call-Check (item 11)', () => {
  it('answers any EAP-Message with Access-Reject carrying EAP-Failure, even for a registered MAC', async () => {
    const identity = Buffer.from(DEVICE);
    const eapResponse = Buffer.concat([Buffer.from([2, 42, 0, 5 + identity.length, 1]), identity]);
    const packet = accessRequest(SECRET, [['User-Name', DEVICE], ['Calling-Station-Id', DEVICE], ['Service-Type', 'Call-Check'], [Attr.EapMessage, eapResponse]]);
    const [reply] = await exchange(auth, [packet], 500);
    expect(reply![0]).toBe(3);
    const eap = attributesOf(reply!).filter(([type]) => type === Attr.EapMessage).map(([, value]) => [...value]);
    expect(eap).toEqual([[4, 42, 0, 4]]);
  });

  it.each([
    ['an unparseable Calling-Station-Id', 'Calling-Station-Id=not-a-mac,'],
    ['no Calling-Station-Id', ''],
  ])('refuses Call-Check naming a registered MAC with %s', async (_case, calling) => {
    const result = await radclient(auth, 'auth', SECRET, `User-Name=${DEVICE},Service-Type=Call-Check,${calling}Message-Authenticator=0x00`);
    expect(result.reply).toBe('Access-Reject');
  });

  it('still accepts Call-Check when the access point saw that MAC', async () => {
    const result = await radclient(auth, 'auth', SECRET, `User-Name=${DEVICE},Service-Type=Call-Check,Calling-Station-Id=00-1B-63-00-00-20,Message-Authenticator=0x00`);
    expect(result.reply).toBe('Access-Accept');
  });
});
