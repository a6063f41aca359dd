// What `npm start` says once ready, and what the CLI says when it is started on another
// DATA_DIR than the running server's: the real processes, the embedded Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, freePort, runCli, waitFor } from '../helpers/process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mk-banner-'));
const otherDir = join(dataDir, 'other');
let env: Record<string, string>;
let child: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  env = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    RADIUS_HOST: '127.0.0.1',
    RADIUS_AUTH_PORT: String(await freePort()),
    RADIUS_ACCT_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
});
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
  }
  for (const dir of [dataDir, otherDir]) {
    try {
      process.kill(Number(readFileSync(join(dir, 'redis', 'redis.pid'), 'utf8')), 'SIGTERM');
    } catch {
      // no Redis left there
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start, once ready', () => {
  it('says where the portal, console, RADIUS and Redis are, what to do first, and warns about a localhost PUBLIC_URL', async () => {
    child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(async () => (output.includes('Warning: PUBLIC_URL') ? true : undefined), 20_000, 'the banner');
    const url = `http://127.0.0.1:${env.HTTP_PORT}`;
    expect(output).toContain(`Mektep is ready.\n  Captive portal: ${url}/\n  Console:        ${url}/console\n`);
    expect(output).toContain(`  RADIUS:         UDP 127.0.0.1 port ${env.RADIUS_AUTH_PORT} (authentication), ${env.RADIUS_ACCT_PORT} (accounting)\n`);
    expect(output).toContain(`  Redis:          embedded (${join(dataDir, 'redis', 'redis.sock')})\n`);
    expect(output).toMatch(/Next, in another terminal:\n {2}1\. create the first admin: +npx mektep admin create <username> --role region-admin\n {2}2\. add a school:.*\n {2}3\. add the first access point:/);
    expect(output).toContain(`Warning: PUBLIC_URL is ${url}. Access points and phones would be sent to themselves`);
  });

  it('lets the CLI on the same DATA_DIR use the server\'s Redis and say so', async () => {
    const result = await runCli(['school', 'list'], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`mektep: using the Redis of the Mektep running on ${dataDir} (pid ${child!.pid})\n`);
  });

  it('warns when the CLI, on another DATA_DIR, had to start its own Redis while that server runs', async () => {
    const result = await runCli(['school', 'add', 'sch-x', '--name', 'Lost'], { ...env, DATA_DIR: otherDir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`mektep: no Mektep runs on ${otherDir}: started its Redis for this command\n`);
    expect(result.stderr).toContain(`mektep: warning: a Mektep answers at http://127.0.0.1:${env.HTTP_PORT} but does not use ${otherDir}`);
  });
});
