// `node dist/server.js` and its log around start and stop: a SIGTERM during start-up still
// closes what was opened and writes the held lines; the banner follows the lines logged before it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, freePort, waitFor } from '../helpers/process.js';

const dirs: string[] = [];
const running: ChildProcess[] = [];

async function start(): Promise<{ dataDir: string; child: ChildProcess; output: () => string; exited: Promise<{ code: number | null; signal: string | null }> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mk-stop-log-'));
  dirs.push(dataDir);
  const env = {
    PATH: process.env.PATH ?? '', DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(await freePort()),
    RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: String(await freePort()), RADIUS_ACCT_PORT: String(await freePort()), LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { dataDir, child, output: () => output, exited };
}

const redisPidFile = (dataDir: string) => join(dataDir, 'redis', 'redis.pid');

afterAll(async () => {
  for (const child of running.filter((process) => process.exitCode === null && process.signalCode === null)) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  for (const dir of dirs) {
    try {
      process.kill(Number(readFileSync(redisPidFile(dir), 'utf8')), 'SIGTERM');
    } catch {
      // no Redis left there
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('the server log around start and stop', () => {
  it('prints the ready banner after the log lines before it ("mektep ready")', async () => {
    const server = await start();
    await waitFor(async () => (server.output().includes('Mektep is ready.') ? true : undefined), 20_000, 'the banner');
    const output = server.output();
    expect(output).toContain('"msg":"mektep ready"');
    expect(output.indexOf('"msg":"mektep ready"')).toBeLessThan(output.indexOf('Mektep is ready.'));
  });

  it('stops cleanly on a SIGTERM during start-up: exit 0, its Redis stopped, the held lines written', async () => {
    const server = await start();
    // The embedded Redis is starting: the server has not listened yet.
    await waitFor(async () => (existsSync(redisPidFile(server.dataDir)) ? true : undefined), 20_000, 'the embedded Redis');
    const redisPid = Number(readFileSync(redisPidFile(server.dataDir), 'utf8'));
    server.child.kill('SIGTERM');
    expect(await server.exited, server.output()).toEqual({ code: 0, signal: null });
    expect(server.output()).toMatch(/"signal":"SIGTERM".*"msg":"stopping"/);
    expect(server.output()).toContain('"msg":"redis"');
    await waitFor(async () => (existsSync(`/proc/${redisPid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${redisPid}/stat`, 'utf8')) ? undefined : true), 5000, 'its Redis to stop');
  });
});
