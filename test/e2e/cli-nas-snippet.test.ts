import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const SECRET = 'Sn1ppet-Secret-4f9c2a';
let server: TestRedis;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestRedis();
  env = { REDIS_URL: server.url, PUBLIC_URL: 'https://wifi.school.kz' };
  expect((await runCli(['nas', 'add', '10.9.0.1', '--secret', SECRET, '--vendor', 'mikrotik'], env)).code).toBe(0);
});
afterAll(async () => {
  await server.close();
});

describe('mektep nas snippet', () => {
  it('prints a placeholder, not the RADIUS secret, unless asked', async () => {
    const text = await runCli(['nas', 'snippet', '10.9.0.1'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain(SECRET);
    expect(text.stdout).toContain('secret="<secret>"');
    expect(text.stdout).toMatch(/--show-secret/);
    const json = await runCli(['nas', 'snippet', '10.9.0.1', '--json'], env);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain(SECRET);
  });

  it('prints the secret itself with --show-secret, ready to paste into RouterOS', async () => {
    const shown = await runCli(['nas', 'snippet', '10.9.0.1', '--show-secret'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`/radius add service=hotspot,wireless address=wifi.school.kz secret="${SECRET}"`);
    expect(shown.stdout).not.toContain('<secret>');
  });

  it('never prints it from nas add, nas list or the login page', async () => {
    for (const args of [['nas', 'list'], ['nas', 'list', '--json'], ['nas', 'snippet', '10.9.0.1', '--login-html'], ['nas', 'set', '10.9.0.1', '--name', 'Hall AP']]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(SECRET);
    }
  });
});
