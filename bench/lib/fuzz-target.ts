// The process under fuzz: Mektep from a source tree (`node --import tsx src/server.ts`, so the
// tree is fuzzed as it is, without a build) over a real redis-server of its own. A crash is the
// process exiting by itself; it is recorded with the last lines it wrote and Mektep is started
// again on the same Redis, so one crash does not end the run. Memory is read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRedis, type TestRedis } from '../../test/helpers/redis.js';
import { freePort } from '../../test/helpers/ports.js';
import { childPids } from './cpu.js';

export interface Crash {
  at: string;
  exit: string;
  lastLines: string[];
}

export interface FuzzTarget {
  redis: TestRedis;
  http: number;
  auth: number;
  acct: number;
  crashes: Crash[];
  /** Resident memory in MB of Mektep's Node process and of redis-server, now. */
  rss(): { node: number; redis: number };
  /** Resolves once Mektep answers /readyz (after a start or a restart). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

export function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

function redisPid(): number | undefined {
  return childPids(process.pid).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'redis-server';
    } catch {
      return false;
    }
  });
}

export async function startFuzzTarget(root: string, env: Record<string, string> = {}): Promise<FuzzTarget> {
  const redis = await startTestRedis();
  const redisProcess = redisPid();
  const [http, auth, acct] = [await freePort(), await freePort(), await freePort()];
  const crashes: Crash[] = [];
  let child: ChildProcess | undefined;
  let stopping = false;
  const tail: string[] = [];

  const start = () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/server.ts')], {
      cwd: root,
      env: {
        ...process.env, REDIS_URL: redis.url, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), PUBLIC_URL: `http://127.0.0.1:${http}`,
        RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: String(auth), RADIUS_ACCT_PORT: String(acct), LOG_LEVEL: 'warn', ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Only the last lines are kept: a crash is explained by what came just before it.
    const keep = (chunk: Buffer) => {
      tail.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((line) => line.slice(0, 400)));
      tail.splice(0, Math.max(0, tail.length - 12));
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    proc.on('exit', (code, signal) => {
      if (stopping || proc !== child) return;
      crashes.push({ at: new Date().toISOString(), exit: signal ?? `code ${code}`, lastLines: [...tail] });
      child = undefined;
      if (crashes.length <= 5) start();
    });
    child = proc;
  };
  start();

  const target: FuzzTarget = {
    redis, http, auth, acct, crashes,
    rss: () => ({ node: rssMb(child?.pid), redis: rssMb(redisProcess) }),
    async ready() {
      for (let tries = 0; tries < 300; tries++) {
        if (child && (await fetch(`http://127.0.0.1:${http}/readyz`).then((r) => r.ok, () => false))) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`Mektep did not become ready: ${tail.join('\n')}`);
    },
    async stop() {
      stopping = true;
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await redis.close();
    },
  };
  await target.ready();
  return target;
}
