// Two instances told of the same access point's restart at once (two RADIUS servers on each
// AP): one closes the sessions, the other waits for its Redis lock and finds nothing left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../src/store/sessions.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;

beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => {
  await server.close();
});

describe('Accounting-On across instances', () => {
  it('closes each session once; the other instance waits for the lock and finds nothing left', async () => {
    const [first, second] = [createSessionStore(server.client()), createSessionStore(server.client())];
    const at = Date.now() - 1000;
    for (let n = 0; n < 3000; n++) await first.record({ nas: '10.30.0.0/24', nasIp: '10.30.0.9', sessionId: `lock-${n}`, status: 'start', school: 'sch-30', inOctets: 0, outOctets: 0 }, at);
    const scope = { nas: '10.30.0.0/24', ap: '10.30.0.9' };
    const [a, b] = await Promise.all([first, second].map((store) => store.closeAccessPoint(scope, Date.now(), 'NAS-Reboot')));
    expect(a!.closed + b!.closed).toBe(3000);
    expect(Math.min(a!.closed, b!.closed)).toBe(0);
    expect(await server.client().xlen('mk:session-log')).toBe(3000);
    expect(await server.client().exists('mk:lock:accounting-on:10.30.0.0%2F24:10.30.0.9')).toBe(0);
  });
});
