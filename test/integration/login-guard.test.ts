import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginGuard } from '../../src/store/login-guard.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;

beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => {
  await server.close();
});

describe('portal lockout', () => {
  it('locks a username after 10 failures, and a device that tries many usernames', async () => {
    const guard = createLoginGuard(server.client());
    for (let i = 0; i < 9; i++) await guard.failed('erzhan', 'aa:00:00:00:00:01');
    expect(await guard.locked('erzhan', 'aa:00:00:00:00:01')).toBeUndefined();
    await guard.failed('erzhan', 'aa:00:00:00:00:02');
    expect(await guard.locked('erzhan', 'aa:00:00:00:00:03')).toBe('user');
    for (let i = 0; i < 10; i++) await guard.failed(`guess-${i}`, 'aa:00:00:00:00:09');
    expect(await guard.locked('someone-else', 'aa:00:00:00:00:09')).toBe('device');
    expect(await guard.locked('someone-else', 'aa:00:00:00:00:08')).toBeUndefined();
    expect(await server.client().ttl('mk:login-lock:user:erzhan')).toBeGreaterThan(890);
  });

  it('forgets earlier failures after a successful sign-in', async () => {
    const guard = createLoginGuard(server.client());
    for (let i = 0; i < 9; i++) await guard.failed('saule', undefined);
    await guard.succeeded('saule');
    await guard.failed('saule', undefined);
    expect(await guard.locked('saule', undefined)).toBeUndefined();
  });
});
