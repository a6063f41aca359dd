// The dashboard's figures store against real Redis: the RADIUS tally writes nothing until its
// flush (then one hash per hour, with the 8-day expiry), hours come back oldest first, top users
// merge across schools.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { createLoginTally, createNasLastSeen, createStatsStore, HOUR_MS, hourOf, STATS_RETENTION_SECONDS } from '../../src/store/stats.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  await redis.flushall();
});

describe('the login tally', () => {
  it('holds counts in memory until it writes them, per school and for the region, each hour expiring in 8 days', async () => {
    const errors: unknown[] = [];
    const tally = createLoginTally(redis, (error) => errors.push(error), 60_000);
    const at = Date.parse('2026-12-01T09:15:00Z');
    tally.count('accept', { role: 'student', school: 'sch-1' }, at);
    tally.count('accept', { role: 'student', school: 'sch-1' }, at);
    tally.count('failed', { school: 'sch-2' }, at);
    tally.count('refuse', {}, at + HOUR_MS);
    expect(await redis.exists(keys.statsHour(undefined, '2026-12-01T09'))).toBe(0);
    await tally.close();
    expect(await redis.hgetall(keys.statsHour('sch-1', '2026-12-01T09'))).toEqual({ 'accept:student': '2' });
    expect(await redis.hgetall(keys.statsHour('sch-2', '2026-12-01T09'))).toEqual({ failed: '1' });
    expect(await redis.hgetall(keys.statsHour(undefined, '2026-12-01T09'))).toEqual({ 'accept:student': '2', failed: '1' });
    expect(await redis.hgetall(keys.statsHour(undefined, '2026-12-01T10'))).toEqual({ 'refuse:-': '1' });
    expect(await redis.ttl(keys.statsHour('sch-1', '2026-12-01T09'))).toBeGreaterThan(STATS_RETENTION_SECONDS - 60);
    expect(errors).toEqual([]);
  });

  it('counts each decision in the hour it falls in, at the boundary and out of order, per school and role', async () => {
    const tally = createLoginTally(redis, () => undefined, 60_000);
    const ten = Date.parse('2026-12-01T10:00:00Z');
    tally.count('accept', { role: 'student', school: 'sch-1' }, ten - 1);
    tally.count('accept', { role: 'student', school: 'sch-1' }, ten);
    tally.count('accept', { role: 'teacher', school: 'sch-2' }, ten - 1);
    tally.count('refuse', { role: 'student', school: 'sch-2' }, ten + HOUR_MS - 1);
    tally.count('refuse', { role: 'student' }, ten - HOUR_MS - 1);
    await tally.close();
    expect(await redis.hgetall(keys.statsHour('sch-1', '2026-12-01T09'))).toEqual({ 'accept:student': '1' });
    expect(await redis.hgetall(keys.statsHour('sch-1', '2026-12-01T10'))).toEqual({ 'accept:student': '1' });
    expect(await redis.hgetall(keys.statsHour('sch-2', '2026-12-01T09'))).toEqual({ 'accept:teacher': '1' });
    expect(await redis.hgetall(keys.statsHour('sch-2', '2026-12-01T10'))).toEqual({ 'refuse:student': '1' });
    expect(await redis.hgetall(keys.statsHour(undefined, '2026-12-01T08'))).toEqual({ 'refuse:student': '1' });
    expect(await redis.hgetall(keys.statsHour(undefined, '2026-12-01T09'))).toEqual({ 'accept:student': '1', 'accept:teacher': '1' });
  });

  it('writes by itself on its interval', async () => {
    const tally = createLoginTally(redis, () => undefined, 50);
    tally.count('accept', { role: 'teacher', school: 'sch-1' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await redis.hget(keys.statsHour('sch-1', hourOf(Date.now())), 'accept:teacher')).toBe('1');
    await tally.close();
  });
});

describe('reading the figures', () => {
  it('returns the hours ending with the current one, oldest first, empty ones included', async () => {
    const stats = createStatsStore(redis);
    const now = Date.parse('2026-12-01T09:40:00Z');
    await stats.countLogin('accept', { role: 'student', school: 'sch-1' }, now - 2 * HOUR_MS);
    await stats.countLogin('failed', { school: 'sch-1' }, now);
    const hours = await stats.hours('sch-1', now, 3);
    expect(hours.map((hour) => new Date(hour.at).toISOString())).toEqual(['2026-12-01T07:00:00.000Z', '2026-12-01T08:00:00.000Z', '2026-12-01T09:00:00.000Z']);
    expect(hours.map((hour) => hour.fields)).toEqual([{ 'accept:student': 1 }, {}, { failed: 1 }]);
  });

  it('merges the top users of several schools, each for its own day', async () => {
    const stats = createStatsStore(redis);
    await redis.zadd(keys.statsTopUsers('sch-1', '2026-12-01'), 500, 'ali', 90, 'dana');
    await redis.zadd(keys.statsTopUsers('sch-2', '2026-12-02'), 300, 'berik');
    await redis.zadd(keys.statsTopUsers('sch-2', '2026-12-01'), 9_000, 'yesterday');
    expect(await stats.topUsers([{ id: 'sch-1', day: '2026-12-01' }, { id: 'sch-2', day: '2026-12-02' }], 2)).toEqual([
      { user: 'ali', school: 'sch-1', bytes: 500 },
      { user: 'berik', school: 'sch-2', bytes: 300 },
    ]);
  });

  it('notes a NAS as heard at most once a minute', async () => {
    let now = 1_000_000;
    const seen = createNasLastSeen(redis, () => undefined, () => now);
    const stats = createStatsStore(redis);
    seen.seen('10.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await stats.lastSeen()).toEqual({ '10.0.0.1': 1_000_000 });
    now += 30_000;
    seen.seen('10.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await stats.lastSeen()).toEqual({ '10.0.0.1': 1_000_000 });
    now += 31_000;
    seen.seen('10.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await stats.lastSeen()).toEqual({ '10.0.0.1': 1_061_000 });
  });
});
