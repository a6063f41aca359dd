// `mektep school guests`: a school's rules for guest requests, shown and changed from the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestRedis();
  env = { REDIS_URL: server.url };
  expect((await runCli(['school', 'add', 'sch-1', '--name', 'Gymnasium 1'], env)).code).toBe(0);
});
afterAll(async () => {
  await server.close();
});

describe('mektep school guests', () => {
  it('shows the defaults, changes settings, and refuses a wrong value or an unknown school without writing', async () => {
    const shown = await runCli(['school', 'guests', 'sch-1'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/pendingMinutes\s+30/);
    expect(shown.stdout).toMatch(/schoolDayEnd\s+17:00/);
    const changed = await runCli(['school', 'guests', 'sch-1', 'pendingMinutes=45', 'contactRequired=yes', '--json'], env);
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ pendingMinutes: 45, contactRequired: true, retentionDays: 30 });
    const wrong = await runCli(['school', 'guests', 'sch-1', 'retentionDays=0'], env);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('retentionDays is a whole number from 1 to 3650');
    expect((await runCli(['school', 'guests', 'no-such', 'pendingMinutes=5'], env)).code).not.toBe(0);
    expect(await server.client().hgetall('mk:guest-settings:sch-1')).toEqual({ pendingMinutes: '45', contactRequired: 'true' });
    const audit = await server.client().xrange('mk:audit', '-', '+');
    expect(audit.filter(([, fields]) => fields.includes('school.guest-settings'))).toHaveLength(1);
  });
});
