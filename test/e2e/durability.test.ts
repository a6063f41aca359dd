// Issue 13, nothing lost: `npm start`'s process with the embedded Redis on REDIS_APPENDFSYNC=always.
// The embedded redis-server is SIGKILLed while accounting flows, Mektep is restarted, and every
// user, policy, device, voucher and acknowledged accounting record is there. Then a backup taken
// while it runs is restored with the CLI into a fresh DATA_DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius-wire/packet.js';
import { createStore } from '../../src/store/index.js';
import { ROOT, freePort, runCli, waitFor } from '../helpers/process.js';
import { accountingRequest } from '../helpers/radius-wire.js';
import { ask } from '../helpers/udp-peer.js';

const SECRET = 'durability-secret';
const root = mkdtempSync(join(tmpdir(), 'mk-durable-'));
const dataDir = join(root, 'data');
const freshDir = join(root, 'fresh');
let env: Record<string, string>;
let httpPort: number;
let acctPort: number;
const running: ChildProcess[] = [];

function start(): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env, stdio: 'ignore' });
  running.push(child);
  return { child, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

async function ready(): Promise<void> {
  await waitFor(async () => ((await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 20_000, 'mektep to be ready');
}

const redisPid = () => Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));

beforeAll(async () => {
  httpPort = await freePort();
  acctPort = await freePort();
  env = {
    PATH: process.env.PATH ?? '', DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), RADIUS_HOST: '127.0.0.1',
    RADIUS_AUTH_PORT: String(await freePort()), RADIUS_ACCT_PORT: String(acctPort), LOG_LEVEL: 'warn', REDIS_APPENDFSYNC: 'always',
  };
});
afterAll(async () => {
  for (const child of running.filter((child) => child.exitCode === null && child.signalCode === null)) child.kill('SIGKILL');
  for (const dir of [dataDir, freshDir]) {
    try {
      process.kill(Number(readFileSync(join(dir, 'redis', 'redis.pid'), 'utf8')), 'SIGKILL');
    } catch {
      // none left
    }
  }
  rmSync(root, { recursive: true, force: true });
});

describe('the embedded Redis killed under load', () => {
  it('keeps every entity and every acknowledged accounting record, and a backup restores into a fresh DATA_DIR', async () => {
    let server = start();
    await ready();
    const direct = new Redis({ path: join(dataDir, 'redis', 'redis.sock') });
    const store = createStore(direct);
    await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', rejectDelayMs: 0 }, 'test');
    await store.users.add({ username: 'saule', password: 'saule-password', role: 'student' }, 'test');
    await store.policies.set('student', undefined, { dailyQuota: 5_000_000 }, [], 'test');
    await store.devices.add({ mac: '02:00:5e:13:30:01', role: 'student' }, 'test');
    const [voucher] = await store.vouchers.create({ role: 'guest', duration: 3600, uses: 1, count: 1 }, 'test');
    direct.disconnect();
    // The NAS reaches the running server through the change feed.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const acknowledged = new Map<string, number>();
    let stop = false;
    const worker = async (index: number) => {
      for (let step = 0; !stop; step++) {
        const id = `d${index}-${Math.floor(step / 5)}`;
        const octets = (step % 5) * 1000 + 1;
        const reply = await ask(acctPort, accountingRequest(SECRET, [['Acct-Status-Type', step % 5 ? 'Interim-Update' : 'Start'], ['Acct-Session-Id', id],
          ['Calling-Station-Id', '02-00-5E-13-30-02'], ['Acct-Output-Octets', octets]], step % 256), '127.0.0.1', 1000);
        if (reply?.frame.code === Code.AccountingResponse) acknowledged.set(id, octets);
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    await waitFor(async () => (acknowledged.size > 20 ? true : undefined), 10_000, 'acknowledged records');
    process.kill(redisPid(), 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    stop = true;
    await load;
    server.child.kill('SIGKILL');
    await server.exited;

    server = start();
    await ready();
    const json = async (args: string[]) => JSON.parse((await runCli([...args, '--json'], env)).stdout) as unknown;
    expect(await json(['user', 'list'])).toEqual([expect.objectContaining({ username: 'saule' })]);
    expect(await json(['device', 'list'])).toEqual([expect.objectContaining({ mac: '02:00:5e:13:30:01' })]);
    expect(JSON.stringify(await json(['voucher', 'list']))).toContain(voucher!.code);
    expect(JSON.stringify(await json(['policy', 'show', 'student']))).toContain('5000000');
    const sessions = (await json(['session', 'list'])) as { sessionId: string; outOctets: number }[];
    const stored = new Map(sessions.map((session) => [session.sessionId, session.outOctets]));
    const lost = [...acknowledged].filter(([id, octets]) => (stored.get(id) ?? -1) < octets);
    console.info(`durability: ${acknowledged.size} sessions acknowledged before and after the kill, ${lost.length} lost`);
    expect(lost).toEqual([]);

    const file = join(root, 'backup.rdb');
    expect((await runCli(['backup', file], env)).code).toBe(0);
    server.child.kill('SIGTERM');
    await server.exited;

    const fresh = { ...env, DATA_DIR: freshDir };
    const restored = await runCli(['restore', file], fresh);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^\d+ keys restored from/);
    expect(JSON.parse((await runCli(['user', 'list', '--json'], fresh)).stdout)).toEqual([expect.objectContaining({ username: 'saule' })]);
    expect((await runCli(['restore', file], fresh)).stderr).toContain('--replace');
    expect(JSON.parse((await runCli(['audit', '--action', 'data', '--json'], fresh)).stdout)).toEqual([expect.objectContaining({ action: 'data.restore' })]);
  }, 90_000);
});
