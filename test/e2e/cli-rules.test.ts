// What a new admin trips on: values without units, and not knowing which database a command
// changes. The real `mektep` process against a real redis-server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { runCli } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let env: Record<string, string>;
const dataDir = mkdtempSync(join(tmpdir(), 'mk-rules-'));

beforeAll(async () => {
  server = await startTestRedis();
  env = { REDIS_URL: server.url };
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('units', () => {
  it.each([
    [['--session-timeout', '8'], '"8" needs a unit: 8s, 8m, 8h or 8d'],
    [['--down', '5'], '"5" needs a unit: a rate is in bits per second, e.g. 5M (Mbit/s)'],
    [['--daily-quota', '2'], '"2" needs a unit: a size is in bytes, e.g. 2G (GB)'],
    [['--up', '5MB'], '"5MB" is in bytes; a rate is in bits per second'],
  ])('refuses %j instead of storing seconds, bit/s or bytes', async (args, message) => {
    const result = await runCli(['policy', 'set', 'student', ...args, '--json'], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'MK_ERR_VALIDATION', message: expect.stringContaining(message) } });
    const shown = JSON.parse((await runCli(['policy', 'show', 'student', '--json'], env)).stdout) as { effective: Record<string, unknown> }[];
    expect(shown[0]!.effective).toEqual({});
  });

  it('accepts the units it prints, so a value from policy show can be typed back', async () => {
    const set = await runCli(['policy', 'set', 'student', '--down', '5Mbit/s', '--up', '1.5Mbit/s', '--daily-quota', '2GB', '--session-timeout', '8h 15m', '--json'], env);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ effective: { downRate: 5_000_000, upRate: 1_500_000, dailyQuota: 2_000_000_000, sessionTimeout: 29_700 }, updated: 0, disconnected: 0, unconfirmed: 0 });
    const shown = (await runCli(['policy', 'show', 'student'], env)).stdout;
    const value = (name: string) => new RegExp(`^\\s+${name}:\\s+(.+)$`, 'm').exec(shown)![1]!.trim();
    expect([value('down'), value('up'), value('daily-quota'), value('session-timeout')]).toEqual(['5Mbit/s', '1.5Mbit/s', '2GB', '8h 15m']);
    const again = await runCli(['policy', 'set', 'teacher', '--down', value('down'), '--up', value('up'), '--daily-quota', value('daily-quota'), '--session-timeout', value('session-timeout'), '--json'], env);
    expect((JSON.parse(again.stdout) as { effective: unknown }).effective).toEqual({ downRate: 5_000_000, upRate: 1_500_000, dailyQuota: 2_000_000_000, sessionTimeout: 29_700 });
  });

  it('refuses a voucher duration without a unit', async () => {
    const result = await runCli(['voucher', 'create', '--role', 'guest', '--duration', '2'], env);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('"2" needs a unit: 2s, 2m, 2h or 2d') });
  });
});

describe('files from Excel', () => {
  it('imports a semicolon-separated Windows-1251 file with Cyrillic names, and says why a Cyrillic username is refused', async () => {
    expect((await runCli(['school', 'add', 'sch-r', '--name', 'School R'], env)).code).toBe(0);
    const win1251 = (text: string) => Buffer.from([...text].map((char) => (char >= 'А' && char <= 'я' ? char.charCodeAt(0) - 0x410 + 0xc0 : char.charCodeAt(0))));
    const file = join(dataDir, 'excel.csv');
    writeFileSync(file, win1251('username;name;role;school\r\naruzhan;Аружан Серикова;student;sch-r\r\nАйдос;Айдос;student;sch-r\r\n'));
    const refused = await runCli(['user', 'import', file, '--json'], env);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ created: 0, errors: [{ line: 3, username: 'Айдос', error: expect.stringContaining('Cyrillic and other non-Latin letters are not supported in usernames') }] });
    writeFileSync(file, win1251('username;name;role;school\r\naruzhan;Аружан Серикова;student;sch-r\r\n'));
    expect((await runCli(['user', 'import', file], env)).code).toBe(0);
    const listed = JSON.parse((await runCli(['user', 'list', '--school', 'sch-r', '--json'], env)).stdout) as { name: string }[];
    expect(listed.map((user) => user.name)).toEqual(['Аружан Серикова']);
    expect((await runCli(['user', 'import', file, '--encoding', 'utf-8'], env)).stderr).toContain('the file is not valid UTF-8');
  });
});

describe('access points and sessions', () => {
  it('generates a NAS secret when none is given, shows it once, and stores it', async () => {
    const added = await runCli(['nas', 'add', '10.30.0.1', '--vendor', 'mikrotik', '--json'], env);
    expect(added.code).toBe(0);
    const body = JSON.parse(added.stdout) as { address: string; secret: string };
    expect(body).toMatchObject({ address: '10.30.0.1', secret: expect.stringMatching(/^[\w-]{32}$/) });
    expect((await createStore(server.client()).nas.get('10.30.0.1'))?.secret).toBe(body.secret);
    const text = await runCli(['nas', 'add', '10.30.0.2', '--vendor', 'chilli'], env);
    expect(text.stdout).toMatch(/\nsecret: [\w-]{32} {2}\(generated, shown once: put it into the access point now\)\n$/);
    expect((await runCli(['nas', 'list'], env)).stdout).not.toContain(body.secret);
  });

  it('kicks a session by the id session list shows in its SESSION column', async () => {
    await createStore(server.client()).sessions.record({ nas: '10.31.0.1', sessionId: '80A00001', status: 'start', user: 'aruzhan', role: 'student', school: 'sch-r', inOctets: 0, outOctets: 0 });
    const listed = await runCli(['session', 'list', '--role', 'student'], env);
    const column = /^aruzhan\s.*\s(\S+)$/m.exec(listed.stdout)![1]!;
    expect(column).toBe('80A00001');
    const kicked = await runCli(['session', 'kick', column, '--json'], env);
    // No NAS is registered at 10.31.0.1, so nobody can confirm: the point is which session was named.
    expect(JSON.parse(kicked.stdout)).toMatchObject({ session: '10.31.0.1|80A00001', action: 'disconnect', outcome: 'unknown-nas' });
    expect(kicked.code).toBe(1);
    expect((await runCli(['session', 'kick', 'NO-SUCH-ID'], env)).stderr).toContain('no live session "NO-SUCH-ID"');
  });
});

describe('which Redis', () => {
  it('says on standard error which Redis it uses, keeping standard output for the result', async () => {
    const result = await runCli(['school', 'list', '--json'], env);
    expect(result.stderr).toBe(`mektep: using Redis at unix:${server.url.slice('unix://'.length)} (REDIS_URL)\n`);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ id: 'sch-r' })]);
  });

  it('says when it started the embedded Redis itself because no Mektep runs on its DATA_DIR', async () => {
    const result = await runCli(['school', 'list'], { DATA_DIR: dataDir, HTTP_PORT: '1' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`mektep: no Mektep runs on ${dataDir}: started its Redis for this command\n`);
  });
});
