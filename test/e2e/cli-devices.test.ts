import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { runCli } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let env: Record<string, string>;
const tmp = mkdtempSync(join(tmpdir(), 'mk-dev-'));

beforeAll(async () => {
  server = await startTestRedis();
  env = { REDIS_URL: server.url };
  await runCli(['school', 'add', 'sch-2', '--name', 'School 2'], env);
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('mektep device', () => {
  it('registers, lists and removes a device, flagging a randomised MAC', async () => {
    const added = await runCli(['device', 'add', 'DA-A1-19-00-00-01', '--role', 'student', '--school', 'sch-2', '--until', '2030-06-30', '--json'], env);
    expect(JSON.parse(added.stdout)).toMatchObject({ mac: 'da:a1:19:00:00:01', role: 'student', school: 'sch-2', randomized: true, until: '2030-06-30T23:59:59.000Z' });
    expect((await runCli(['device', 'add', 'da:a1:19:00:00:01', '--role', 'student'], env)).stderr).toContain('already registered');
    expect((await runCli(['device', 'add', 'not-a-mac', '--role', 'student'], env)).stderr).toContain('is not a MAC address');
    expect((await runCli(['device', 'add', '00:1b:63:00:00:02', '--role', 'student', '--until', '2001-01-01'], env)).stderr).toContain('already passed');
    expect((await runCli(['device', 'list', '--school', 'sch-2'], env)).stdout).toMatch(/da:a1:19:00:00:01\s+student\s+sch-2\s+-\s+2030-06-30\s+yes/);
    expect((await runCli(['device', 'remove', 'daa1.1900.0001'], env)).code).toBe(0);
    expect(await createStore(server.client()).devices.get('da:a1:19:00:00:01')).toBeUndefined();
  });

  it('imports a fleet of 10,000 devices at once, and refuses a file with bad lines whole', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `00-1B-63-${[(i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join('-')},student,sch-2`);
    const good = join(tmp, 'fleet.csv');
    writeFileSync(good, `mac,role,school\n${rows.join('\n')}\n`);
    const started = Date.now();
    const imported = await runCli(['device', 'import', good, '--json'], env);
    console.log(`device import: 10,000 rows in ${Date.now() - started} ms (process start included)`);
    expect(JSON.parse(imported.stdout)).toEqual({ dryRun: false, imported: 10_000, errors: [] });
    expect((await createStore(server.client()).devices.list('sch-2')).length).toBe(10_000);

    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'mac,role,school,user,until\n00:1b:63:aa:00:01,student,sch-2,,\nzz:zz,student,sch-2,,\n00:1b:63:aa:00:01,teacher,,,\n00:1b:63:aa:00:02,pilot,,,\n');
    const report = await runCli(['device', 'import', bad], env);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/3\s+zz:zz\s+"zz:zz" is not a MAC address/);
    expect(report.stdout).toMatch(/4\s+00:1b:63:aa:00:01\s+MAC 00:1b:63:aa:00:01 is also on line 2/);
    expect(report.stdout).toMatch(/5\s+00:1b:63:aa:00:02\s+role "pilot" does not exist/);
    expect(await createStore(server.client()).devices.get('00:1b:63:aa:00:01')).toBeUndefined();
  });
});

describe('mektep voucher', () => {
  it('creates a batch of vouchers with a note, lists the codes and the batch, and revokes the batch', async () => {
    const created = JSON.parse((await runCli(['voucher', 'create', '--role', 'guest', '--duration', '2h', '--count', '5', '--uses', '2', '--note', 'Open day', '--json'], env)).stdout) as { id: string; codes: string[]; duration: number; uses: number; note: string };
    expect(created).toMatchObject({ duration: 7200, uses: 2, note: 'Open day' });
    expect(new Set(created.codes).size).toBe(5);
    for (const code of created.codes) expect(code).toMatch(/^[A-Z0-9]{10}$/);
    expect((await runCli(['voucher', 'list'], env)).stdout).toContain(`${created.codes[0]}  guest`);
    expect((await runCli(['voucher', 'list', '--batches'], env)).stdout).toMatch(new RegExp(`${created.id}\\s+Open day`));
    expect(JSON.parse((await runCli(['voucher', 'revoke', created.id, '--json'], env)).stdout)).toMatchObject({ disconnected: 0, revoked: expect.arrayContaining(created.codes) });
    expect((await runCli(['voucher', 'create', '--role', 'guest', '--duration', '30s'], env)).stderr).toContain('at least a minute');
  });
});
