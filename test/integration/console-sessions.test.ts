import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConsoleSessionStore } from '../../src/store/console-sessions.js';
import { keys } from '../../src/store/keys.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;
let now = 0;
const limits = { idleSeconds: 1800, absoluteSeconds: 12 * 3600 };

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
});
afterAll(() => server.close());
beforeEach(async () => {
  await redis.flushall();
  now = Date.parse('2026-12-01T08:00:00Z');
});

const store = () => createConsoleSessionStore(redis, limits, () => now);

describe('console sessions (clock as a parameter)', () => {
  it('lives while used, and ends at the idle limit to the millisecond', async () => {
    const sessions = store();
    const session = await sessions.start('dana');
    now += 1800_000 - 1;
    const found = await sessions.find(session.id);
    expect(found).toHaveProperty('session');
    if ('session' in found) await sessions.touch(found.session);
    now += 1800_000 - 1;
    expect(await sessions.find(session.id)).toHaveProperty('session');
    now += 1800_000;
    expect(await sessions.find(session.id)).toEqual({ ended: 'idle' });
    expect(await redis.exists(keys.consoleSession(session.id))).toBe(0);
  });

  it('ends 12 hours after sign-in however busy, and its key never outlives that', async () => {
    const sessions = store();
    const session = await sessions.start('dana');
    // Used every 20 minutes for 11 h 40 min, then once more at 11 h 50 min.
    for (let step = 1; step <= 35; step++) {
      now += 1200_000;
      const found = await sessions.find(session.id);
      if (!('session' in found)) throw new Error(`ended early after ${step * 20} minutes`);
      await sessions.touch(found.session);
    }
    now += 600_000;
    const found = await sessions.find(session.id);
    if ('session' in found) await sessions.touch(found.session);
    expect(await redis.pttl(keys.consoleSession(session.id))).toBeLessThanOrEqual(600_000);
    now += 600_000;
    expect(await sessions.find(session.id)).toEqual({ ended: 'absolute' });
  });

  it('ends every session of an account but the one kept, and sheds ended ids as new ones start', async () => {
    const sessions = store();
    const [a, b, c] = [await sessions.start('dana'), await sessions.start('dana'), await sessions.start('dana')];
    expect(await sessions.endAll('dana', b.id)).toBe(2);
    expect(await sessions.find(a.id)).toEqual({ ended: 'unknown' });
    expect(await sessions.find(c.id)).toEqual({ ended: 'unknown' });
    expect(await sessions.find(b.id)).toHaveProperty('session');
    // A year of daily sign-ins that are never signed out: the index keeps only the live ones.
    for (let day = 0; day < 365; day++) {
      now += 86_400_000;
      await sessions.start('dana');
    }
    expect(await redis.zcard(keys.consoleSessionsOf('dana'))).toBe(1);
  });
});
