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
  it('locks a username after 10 failed attempts, and a device that tries many usernames', async () => {
    const guard = createLoginGuard(server.client());
    for (let i = 0; i < 9; i++) expect(await guard.attempt('erzhan', 'aa:00:00:00:00:01')).toBeUndefined();
    expect(await guard.attempt('erzhan', 'aa:00:00:00:00:02')).toBeUndefined();
    expect(await guard.attempt('erzhan', 'aa:00:00:00:00:03')).toBe('user');
    for (let i = 0; i < 10; i++) expect(await guard.attempt(`guess-${i}`, 'aa:00:00:00:00:09')).toBeUndefined();
    expect(await guard.attempt('someone-else', 'aa:00:00:00:00:09')).toBe('device');
    expect(await guard.attempt('someone-else', 'aa:00:00:00:00:08')).toBeUndefined();
    expect(await server.client().ttl('mk:login-lock:user:erzhan')).toBeGreaterThan(890);
  });

  it('lets through at most 10 of 300 parallel attempts: counting and the lock check are one step', async () => {
    const guard = createLoginGuard(server.client());
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => guard.attempt('parallel', `aa:00:00:00:01:${(i % 200).toString(16).padStart(2, '0')}`)));
    expect(answers.filter((lock) => lock === undefined)).toHaveLength(10);
    expect(answers.filter((lock) => lock === 'user')).toHaveLength(290);
  });

  it('forgets earlier failures after a successful sign-in, and an attempt given back does not count', async () => {
    const guard = createLoginGuard(server.client());
    for (let i = 0; i < 9; i++) await guard.attempt('saule', undefined);
    await guard.succeeded('saule', undefined);
    for (let i = 0; i < 9; i++) await guard.attempt('saule', 'aa:00:00:00:00:20');
    for (let i = 0; i < 5; i++) await guard.giveBack('saule', 'aa:00:00:00:00:20');
    for (let i = 0; i < 6; i++) expect(await guard.attempt('saule', 'aa:00:00:00:00:20')).toBeUndefined();
    expect(await guard.attempt('saule', 'aa:00:00:00:00:20')).toBe('user');
  });
});
