// A console account is not a Wi-Fi login: the first admin made with the CLI is refused by RADIUS
// (radclient as the access point) unless the admin asked for a Wi-Fi role too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { runCli, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';

const SECRET = 'accounts-secret-1';
let fixture: AppFixture;
let env: Record<string, string>;

const papLogin = (username: string, password: string) => radclient(fixture.auth, 'auth', SECRET, `User-Name=${username},User-Password=${password},Message-Authenticator=0x00`);

beforeAll(async () => {
  fixture = await startAppFixture();
  env = { REDIS_URL: fixture.server.url };
  expect((await runCli(['school', 'add', 'sch-6', '--name', 'School 6'], env)).code).toBe(0);
  expect((await runCli(['nas', 'add', '127.0.0.1', '--secret', SECRET, '--vendor', 'mikrotik', '--school', 'sch-6'], env)).code).toBe(0);
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 5000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
});

describe('console accounts and Wi-Fi', () => {
  it('refuses a region admin created by the CLI over RADIUS', async () => {
    const created = await runCli(['admin', 'create', 'director', '--role', 'region-admin', '--password-stdin'], env, 'director-password\n');
    expect(created).toMatchObject({ code: 0, stdout: 'region-admin director created (console only, no Wi-Fi login)\n' });
    const login = await papLogin('director', 'director-password');
    expect(login.reply).toBe('Access-Reject');
  });

  it('accepts one created with --wifi-role, with that role, and lists it among the accounts', async () => {
    const created = await runCli(['admin', 'create', 'aliya', '--role', 'school-admin', '--school', 'sch-6', '--wifi-role', 'staff', '--password-stdin', '--json'], env, 'aliya-password\n');
    expect(JSON.parse(created.stdout)).toMatchObject({ username: 'aliya', role: 'school-admin', school: 'sch-6', wifiRole: 'staff' });
    const login = await papLogin('aliya', 'aliya-password');
    expect(login.reply).toBe('Access-Accept');
    expect(Buffer.from(login.attributes.Class![0]!.slice(2), 'hex').toString()).toContain('/aliya/staff/sch-6');
    const accounts = JSON.parse((await runCli(['admin', 'list', '--json'], env)).stdout) as { username: string }[];
    expect(accounts.map((account) => account.username)).toEqual(['aliya', 'director']);
  });

  it('writes neither the account nor the Wi-Fi user when the Wi-Fi username is taken', async () => {
    expect((await runCli(['user', 'add', 'dana', '--role', 'teacher', '--school', 'sch-6', '--password', 'dana-wifi-1'], env)).code).toBe(0);
    const clash = await runCli(['admin', 'create', 'dana', '--role', 'teacher', '--school', 'sch-6', '--wifi-role', 'teacher', '--password-stdin'], env, 'dana-console-pw\n');
    expect(clash).toMatchObject({ code: 1, stderr: expect.stringContaining('a Wi-Fi user "dana" already exists') });
    expect((await runCli(['admin', 'list', '--json'], env)).stdout).not.toContain('"dana"');
  });

  it('disables a console account and changes its password, each in the audit log with its school', async () => {
    expect((await runCli(['admin', 'disable', 'aliya'], env)).code).toBe(0);
    expect((await runCli(['admin', 'passwd', 'aliya', '--password-stdin'], env, 'aliya-new-password\n')).code).toBe(0);
    const audit = JSON.parse((await runCli(['audit', '--school', 'sch-6', '--action', 'account', '--json'], env)).stdout) as { action: string; target: string; school: string }[];
    expect(audit.map((entry) => `${entry.action} ${entry.target} ${entry.school}`)).toEqual(['account.passwd aliya sch-6', 'account.disable aliya sch-6', 'account.create aliya sch-6']);
  });
});
