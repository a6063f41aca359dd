import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, env);

beforeAll(async () => {
  server = await startTestRedis();
  env = { REDIS_URL: server.url };
  await cli('school', 'add', 'sch-4', '--name', 'School 4', '--timezone', 'Asia/Almaty');
  await cli('nas', 'add', '10.4.0.0/16', '--secret', 'preview-secret', '--vendor', 'mikrotik', '--school', 'sch-4');
  await cli('nas', 'add', '10.5.0.1', '--secret', 'preview-secret', '--vendor', 'chilli', '--school', 'sch-4');
  await cli('user', 'add', 'madi', '--role', 'student', '--school', 'sch-4', '--password', 'madi-password');
});
afterAll(async () => {
  await server.close();
});

describe('mektep policy', () => {
  it('takes a flag for every field and stores it with the units of the model', async () => {
    const set = await cli('policy', 'set', 'student', '--down', '5M', '--up', '1M', '--burst-down', '8M', '--burst-up', '2M', '--burst-time', '10s',
      '--session-timeout', '8h', '--idle-timeout', '15m', '--interim', '5m', '--daily-quota', '2G', '--monthly-quota', '40G',
      '--schedule', 'mon-sun 00:00-23:59; mon-sun 23:59-00:00', '--max-devices', '2', '--device-limit-mode', 'evict-oldest', '--content-profile', 'students',
      '--vlan', '120', '--filter-id', 'students', '--remember', '7d', '--remember-by-default', 'no', '--json');
    expect(set.code).toBe(0);
    expect((JSON.parse(set.stdout) as { effective: unknown }).effective).toEqual({
      downRate: 5e6, upRate: 1e6, burstDownRate: 8e6, burstUpRate: 2e6, burstSeconds: 10, sessionTimeout: 28_800, idleTimeout: 900, interimInterval: 300,
      dailyQuota: 2e9, monthlyQuota: 40e9, schedule: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '23:59' }, { days: [0, 1, 2, 3, 4, 5, 6], start: '23:59', end: '00:00' }],
      maxDevices: 2, deviceLimitMode: 'evict-oldest', contentProfile: 'students', vlan: 120, filterId: 'students', rememberFor: 604_800, rememberByDefault: false,
    });
  });

  it.each([
    [['--daily-quota=-5G'], 'not a valid size'],
    [['--schedule', 'mon-sat 25:00-17:00'], 'not a time of day'],
    [['--device-limit-mode', 'kick'], 'not one of refuse, evict-oldest'],
    [['--vlan', '5000'], 'vlan'],
    [['--interim', '10s'], 'interimInterval'],
  ])('refuses %j without storing it', async (args, message) => {
    const result = await cli('policy', 'set', 'student', ...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it('previews exactly what an Access-Accept would carry, per vendor, and why one would be refused', async () => {
    const mikrotik = await cli('policy', 'preview', 'madi', '--nas', '10.4.7.9');
    expect(mikrotik.stdout).toMatch(/^Access-Accept for madi \(student\) through 10\.4\.0\.0\/16 \(mikrotik\):/);
    expect(mikrotik.stdout).toContain('Mikrotik-Rate-Limit = 1000k/5000k 2000k/8000k 1000k/5000k 10/10');
    expect(mikrotik.stdout).toContain('Mikrotik-Total-Limit = 2000000000');
    expect(mikrotik.stdout).toContain('Tunnel-Private-Group-Id = 120');
    expect(mikrotik.stdout).toContain('Filter-Id = students');
    const chilli = JSON.parse((await cli('policy', 'preview', 'madi', '--nas', '10.5.0.1', '--json')).stdout) as { attributes: unknown[] };
    expect(chilli.attributes).toEqual(expect.arrayContaining([{ name: 'ChilliSpot-Bandwidth-Max-Down', value: 5000 }, { name: 'WISPr-Bandwidth-Max-Down', value: 5_000_000 }, { name: 'ChilliSpot-Max-Total-Gigawords', value: 0 }]));

    // A window on another weekday than today's in Almaty: closed now, whenever the test runs.
    const otherDay = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Almaty', weekday: 'short' }).format(Date.now() - 2 * 86_400_000).toLowerCase();
    await cli('policy', 'set', 'student', '--schedule', `${otherDay} 01:00-01:01`, '--no-apply');
    const closed = await cli('policy', 'preview', 'madi', '--nas', '10.4.0.1', '--json');
    expect(JSON.parse(closed.stdout)).toMatchObject({ decision: 'reject', attributes: [{ name: 'Reply-Message', value: 'Wi-Fi is closed for your role at this time' }] });
    expect((await cli('policy', 'preview', 'madi', '--nas', '192.0.2.1')).stderr).toContain('no NAS covers 192.0.2.1');
  });
});
