// `npm start`'s process as a user runs it: node dist/server.js with the embedded Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, freePort, runCli, waitFor } from '../helpers/process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mk-data-'));
let env: Record<string, string>;
let httpPort: number;
const running: ChildProcess[] = [];

function start(extra: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function ready(port = httpPort): Promise<void> {
  await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined), 20_000, 'mektep to be ready');
}

function redisPid(): number {
  return Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));
}

// A zombie (exited, not yet reaped by whoever adopted it) counts as gone.
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

beforeAll(async () => {
  httpPort = await freePort();
  env = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    RADIUS_HOST: '127.0.0.1',
    RADIUS_AUTH_PORT: String(await freePort()),
    RADIUS_ACCT_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
});
afterAll(async () => {
  // Even after a failed test: stop Mektep the way that stops its Redis too, and any Redis a
  // killed Mektep left behind.
  for (const child of running.filter((process) => process.exitCode === null && process.signalCode === null)) {
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  for (const dir of [dataDir, join(dataDir, 'other'), join(dataDir, 'third')]) {
    try {
      process.kill(Number(readFileSync(join(dir, 'redis', 'redis.pid'), 'utf8')), 'SIGTERM');
    } catch {
      // no Redis left there
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start with the embedded Redis', () => {
  it('runs, refuses a second start on the same data, serves the CLI, stops cleanly and keeps the data', async () => {
    const first = start();
    await ready();
    const pid = redisPid();
    expect(alive(pid)).toBe(true);
    expect(existsSync(join(dataDir, 'redis', 'redis.sock'))).toBe(true);

    const second = start({ HTTP_PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/Mektep is already running \(pid \d+\) with data in/);
    expect(alive(pid)).toBe(true);

    // The CLI finds the running server's Redis through its socket.
    expect((await runCli(['school', 'add', 'sch-5', '--name', 'School 5'], env)).code).toBe(0);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(dataDir, 'redis', 'redis.sock'))).toBe(false);
    expect(existsSync(join(dataDir, 'mektep.lock'))).toBe(false);

    // With Mektep stopped, the CLI starts the embedded Redis for its own command, then stops it.
    const listed = await runCli(['school', 'list', '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: 'sch-5', name: 'School 5' })]);
    expect(existsSync(join(dataDir, 'redis', 'redis.sock'))).toBe(false);

    const again = start();
    await ready();
    expect((await runCli(['school', 'list', '--json'], env)).stdout).toContain('sch-5');
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });

  it('cleans up after a Mektep that was killed outright', async () => {
    const killed = start();
    await ready();
    const orphan = redisPid();
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(alive(orphan)).toBe(true);

    const next = start();
    await ready();
    expect(alive(orphan)).toBe(false);
    expect(redisPid()).not.toBe(orphan);
    expect((await runCli(['school', 'list', '--json'], env)).stdout).toContain('sch-5');
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });

  it('stops with a clear message on a bad variable or a port in use', async () => {
    const bad = start({ HTTP_PORT: 'http' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('HTTP_PORT="http": expected a whole number from 0 to 65535');

    const holder = start({ DATA_DIR: join(dataDir, 'other') });
    await ready();
    const clash = start({ DATA_DIR: join(dataDir, 'third') });
    expect(await clash.exited).toBe(1);
    expect(clash.output()).toMatch(/^mektep: RADIUS authentication port \d+ on 127\.0\.0\.1 is already in use \(is Mektep already running\?\)$/m);
    expect(clash.output()).not.toContain('    at ');
    expect(existsSync(join(dataDir, 'third', 'redis', 'redis.sock'))).toBe(false);
    holder.child.kill('SIGTERM');
    expect(await holder.exited).toBe(0);
  });
});
