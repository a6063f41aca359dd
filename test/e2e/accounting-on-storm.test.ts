// A school-wide power cut (hardening item 1): every copy of an access point's Accounting-On
// arrives at once while tens of thousands of its sessions are stored. The sessions are closed in
// Redis in bounded batches, once, every copy is answered when the run is over, and the heap of
// the process answering stays small (it used to load every session once per copy).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius-wire/packet.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { accountingRequest } from '../helpers/radius-wire.js';
import { askAll } from '../helpers/udp-peer.js';

const SECRET = 'storm-secret-1';
const SESSIONS = 20_000;
const COPIES = 150;
const MB = 1024 * 1024;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
let fixture: AppFixture;

beforeAll(async () => {
  fixture = await startAppFixture();
  const { store } = fixture;
  await store.schools.add({ id: 'sch-1', name: 'School 1' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', school: 'sch-1' }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  for (let first = 0; first < SESSIONS; first += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, offset) => {
      const n = first + offset;
      const mac = `aa:bb:cc:${[n >> 16, (n >> 8) & 255, n & 255].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;
      return store.sessions.record({ nas: '127.0.0.1', nasIp: '127.0.0.1', sessionId: `storm-${n}`, status: 'start', user: `pupil-${n % 700}`, role: 'student', school: 'sch-1', mac, ip: `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`, inOctets: n, outOctets: n });
    }));
  }
}, 120_000);
afterAll(async () => {
  await fixture?.close();
});

describe('Accounting-On storm', () => {
  it(`closes ${SESSIONS} sessions once for ${COPIES} parallel copies, answers every copy, with a small heap`, async () => {
    const redis = fixture.server.client();
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
    const started = Date.now();
    const copies = Array.from({ length: COPIES }, (_, index) => accountingRequest(SECRET, [['Acct-Status-Type', 'Accounting-On'], ['Acct-Session-Id', '0']], index));
    const replies = await askAll(fixture.acct, copies, '127.0.0.1', COPIES, 25_000);
    clearInterval(sampler);
    const elapsed = Date.now() - started;

    expect(replies.every((reply) => reply[0] === Code.AccountingResponse)).toBe(true);
    expect(new Set(replies.map((reply) => reply[1])).size).toBe(COPIES);
    expect(await fixture.store.sessions.list()).toEqual([]);
    // Each session closed exactly once (one Stop record each in the session log).
    expect(await redis.xlen('mk:session-log')).toBe(SESSIONS);
    console.info(`accounting-on storm: ${SESSIONS} sessions, ${COPIES} copies answered in ${elapsed} ms, heap peak +${((peak - base) / MB).toFixed(1)} MB`);
    expect(peak - base).toBeLessThan(64 * MB);
  }, 60_000);
});
