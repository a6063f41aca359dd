import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/security/password.js';
import { createStore } from '../../src/store/index.js';
import { runCli } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let env: Record<string, string>;
const tmp = mkdtempSync(join(tmpdir(), 'mk-cli-'));

beforeAll(async () => {
  server = await startTestRedis();
  env = { REDIS_URL: server.url };
  expect((await runCli(['school', 'add', 'sch-1', '--name', 'Gymnasium 1', '--timezone', 'Asia/Almaty'], env)).code).toBe(0);
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

const json = async (args: string[], input?: string) => {
  const result = await runCli([...args, '--json'], env, input);
  return { ...result, body: JSON.parse(result.stdout) as Record<string, unknown> & unknown[] };
};

describe('mektep CLI', () => {
  it('prints help listing every command, and exits 2 on an unknown one', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    for (const command of ['admin create', 'school add', 'nas add', 'nas set', 'nas list', 'nas remove', 'user add', 'user import', 'user list', 'user disable', 'user enable', 'user passwd', 'role add', 'policy set', 'policy show']) {
      expect(help.stdout).toContain(`mektep ${command}`);
    }
    const unknown = await runCli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('mektep: unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: mektep');
    const partial = await runCli(['school', 'rename'], env);
    expect(partial.code).toBe(2);
    expect(partial.stderr.split('\n')[0]).toBe('mektep: "school rename" is not a command; "school" takes one of: add, set, guests, list');
  });

  it('exits 2 with the usage line on a bad option or a missing argument', async () => {
    const bad = await runCli(['nas', 'add', '10.0.0.1', '--colour', 'red'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--colour'[\s\S]*Usage: mektep nas add <ip-or-cidr>/);
    expect((await runCli(['school', 'add'], env)).code).toBe(2);
  });

  it('adds, changes, lists and removes a NAS, never printing a secret', async () => {
    const added = await json(['nas', 'add', '10.1.0.0/16', '--secret', 's3cret-shared', '--vendor', 'chilli', '--school', 'sch-1', '--name', 'Floor 2', '--nas-id', 'chilli-2']);
    expect(added.code).toBe(0);
    expect(added.body).toMatchObject({ address: '10.1.0.0/16', vendor: 'chilli', school: 'sch-1', name: 'Floor 2', nasId: 'chilli-2', coaPort: 3799, requireMessageAuthenticator: true, hasUamSecret: false });
    const changed = await json(['nas', 'set', '10.1.0.0/16', '--uam-secret-stdin', '--no-message-authenticator', '--coa-port', '1700'], 'uam-s3cret\n');
    expect(changed.body).toMatchObject({ requireMessageAuthenticator: false, coaPort: 1700, hasUamSecret: true });
    const stored = await createStore(server.client()).nas.get('10.1.0.0/16');
    expect(stored?.uamSecret).toBe('uam-s3cret');
    const listed = await runCli(['nas', 'list'], env);
    expect(listed.stdout).toMatch(/10\.1\.0\.0\/16\s+Floor 2\s+chilli\s+sch-1\s+chilli-2\s+1700\s+optional/);
    expect(listed.stdout + changed.stdout + added.stdout).not.toMatch(/s3cret/);
    const unifi = await json(['nas', 'set', '10.1.0.0/16', '--controller-url', 'https://unifi.local:8443', '--controller-user', 'mektep', '--controller-password-stdin'], 'pa55');
    expect(unifi.body).toMatchObject({ controllerUrl: 'https://unifi.local:8443', controllerUser: 'mektep', hasControllerPassword: true });
    expect((await runCli(['nas', 'remove', '10.1.0.0/16'], env)).code).toBe(0);
    const again = await json(['nas', 'remove', '10.1.0.0/16']);
    expect(again.code).toBe(1);
    expect(again.body).toEqual({ error: { code: 'MK_ERR_NOT_FOUND', message: 'NAS 10.1.0.0/16 does not exist' } });
  });

  it('creates the first admin with the password from standard input, as a console account only', async () => {
    const created = await json(['admin', 'create', 'Director', '--password-stdin'], 'correct horse battery\n');
    expect(created.code).toBe(0);
    expect(created.body).toMatchObject({ username: 'director', role: 'region-admin', status: 'active' });
    const store = createStore(server.client());
    expect(await verifyPassword('correct horse battery', (await store.accounts.get('director'))!.passwordHash)).toBe(true);
    expect(await store.users.get('director')).toBeUndefined();
    const teacher = await runCli(['admin', 'create', 'teacher1', '--role', 'teacher', '--password-stdin'], env, 'long-enough-pw');
    expect(teacher.code).toBe(2);
    expect(teacher.stderr).toContain('mektep admin create: a teacher belongs to a school: give --school <id>\nUsage: mektep admin create');
    const noTty = await runCli(['admin', 'create', 'someone'], env);
    expect(noTty.code).toBe(1);
    const missingRole = await runCli(['user', 'add', 'x2'], env);
    expect(missingRole).toMatchObject({ code: 2, stderr: expect.stringMatching(/--role is required\nUsage: mektep user add/) });
    expect(noTty.stderr).toMatch(/nothing on standard input|use --password-stdin/);
  });

  it('adds users with given or generated passwords, disables, enables and re-keys them', async () => {
    const generated = await json(['user', 'add', 'aruzhan', '--role', 'student', '--school', 'sch-1', '--name', 'Аружан', '--expires', '2027-06-30']);
    expect(generated.body).toMatchObject({ username: 'aruzhan', role: 'student', school: 'sch-1', expiresAt: '2027-06-30T23:59:59.000Z' });
    const password = generated.body.generatedPassword as string;
    expect(password).toMatch(/^\w{10}$/);
    const store = createStore(server.client());
    expect(await verifyPassword(password, (await store.users.get('aruzhan'))!.passwordHash)).toBe(true);

    expect((await json(['user', 'disable', 'aruzhan'])).body).toEqual({ username: 'aruzhan', status: 'disabled', sessions: [] });
    expect((await store.users.get('aruzhan'))?.status).toBe('disabled');
    expect((await json(['user', 'enable', 'aruzhan'])).body).toEqual({ username: 'aruzhan', status: 'active' });
    expect((await runCli(['user', 'passwd', 'aruzhan', '--password-stdin'], env, 'new-pass-1\n')).code).toBe(0);
    expect(await verifyPassword('new-pass-1', (await store.users.get('aruzhan'))!.passwordHash)).toBe(true);

    const list = await json(['user', 'list', '--school', 'sch-1']);
    expect(list.body).toEqual([expect.objectContaining({ username: 'aruzhan', name: 'Аружан', status: 'active' })]);
    expect(JSON.stringify(list.body)).not.toContain('scrypt');
    const missing = await runCli(['user', 'add', 'x1', '--role', 'pilot'], env);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('role "pilot" does not exist') });
  });

  it('finds users by part of their name in any case, and sets or clears an expiry', async () => {
    expect((await json(['user', 'list', '--search', 'АРУЖ'])).body).toEqual([expect.objectContaining({ username: 'aruzhan' })]);
    expect((await json(['user', 'list', '--search', 'nobody-like-this'])).body).toEqual([]);
    expect((await json(['user', 'expire', 'aruzhan', '2028-01-31'])).body).toMatchObject({ username: 'aruzhan', expiresAt: '2028-01-31T23:59:59.000Z' });
    const never = await json(['user', 'expire', 'aruzhan', 'never']);
    expect(never.body.expiresAt).toBeUndefined();
    expect((await createStore(server.client()).users.get('aruzhan'))?.expiresAt).toBeUndefined();
  });

  it('imports a CSV whole, or reports each bad line and imports nothing', async () => {
    const good = join(tmp, 'good.csv');
    writeFileSync(good, 'username,name,role,school,password\nst1,Student 1,student,sch-1,\nst2,Student 2,student,sch-1,pass-word\n');
    const dry = await json(['user', 'import', good, '--dry-run']);
    expect(dry.body).toMatchObject({ dryRun: true, created: 2, errors: [] });
    const done = await json(['user', 'import', good]);
    expect(done.code).toBe(0);
    expect(done.body).toMatchObject({ dryRun: false, created: 2, errors: [], generated: [{ username: 'st1', password: expect.any(String) }] });

    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'username,name,role,school,password\nst3,,student,sch-1,\nst1,,student,sch-1,\nst4,,student,sch-9,\n');
    const report = await runCli(['user', 'import', bad], env);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/2 line\(s\) have errors; nothing was imported/);
    expect(report.stdout).toMatch(/3\s+st1\s+user "st1" already exists/);
    expect(report.stdout).toMatch(/4\s+st4\s+school "sch-9" does not exist/);
    expect(await createStore(server.client()).users.get('st3')).toBeUndefined();
    expect((await runCli(['user', 'import', join(tmp, 'nope.csv')], env)).stderr).toContain('no such file');
  });

  it('sets and shows policies with k/M/G sizes and s/m/h/d durations', async () => {
    const set = await json(['policy', 'set', 'student', '--down', '5M', '--up', '512k', '--session-timeout', '8h', '--idle-timeout', '15m', '--daily-quota', '2G', '--max-devices', '2']);
    expect(set.body).toMatchObject({ role: 'student', effective: { downRate: 5_000_000, upRate: 512_000, sessionTimeout: 28_800, idleTimeout: 900, dailyQuota: 2_000_000_000, maxDevices: 2 } });
    await runCli(['policy', 'set', 'student', '--school', 'sch-1', '--down', '2M'], env);
    const shown = await runCli(['policy', 'show', 'student', '--school', 'sch-1'], env);
    expect(shown.stdout).toMatch(/down:\s+2Mbit\/s \*/);
    expect(shown.stdout).toMatch(/up:\s+512kbit\/s\n/);
    expect(shown.stdout).toMatch(/daily-quota:\s+2GB/);
    const bad = await runCli(['policy', 'set', 'student', '--daily-quota=-5G'], env);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('not a valid size') });
    expect((await json(['policy', 'show', 'student'])).body).toEqual([expect.objectContaining({ effective: expect.objectContaining({ dailyQuota: 2_000_000_000 }) })]);
    expect((await runCli(['role', 'add', 'library'], env)).code).toBe(0);
    expect(((await json(['policy', 'show'])).body as { role: string }[]).map((view) => view.role)).toEqual(['guest', 'library', 'staff', 'student', 'teacher']);
  });

  it('records who did what in the audit log', async () => {
    const audit = await json(['audit', '--count', '3']);
    expect(audit.body).toHaveLength(3);
    expect(audit.body[0]).toMatchObject({ actor: expect.stringMatching(/^cli:/), action: 'role.add', target: 'library', at: expect.any(String) });
  });
});
