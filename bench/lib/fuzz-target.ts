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
  /** Error-level log lines (pino level ≥ 50), by message and error, with how often each came. */
  errors: Map<string, number>;
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

function errorKey(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; stack?: string } };
    if ((entry.level ?? 0) < 50) return undefined;
    return `${entry.msg ?? ''}: ${entry.err?.message ?? ''} ${entry.err?.stack?.split('\n')[1]?.trim() ?? ''}`.slice(0, 300);
  } catch {
    return undefined;
  }
}

export async function startFuzzTarget(root: string, env: Record<string, string> = {}): Promise<FuzzTarget> {
  const redis = await startTestRedis();
  const redisProcess = redisPid();
  const [http, auth, acct] = [await freePort(), await freePort(), await freePort()];
  const crashes: Crash[] = [];
  const errors = new Map<string, number>();
  let child: ChildProcess | undefined;
  let stopping = false;
  const tail: string[] = [];

  const noteError = (line: string) => {
    const key = errorKey(line);
    // Bounded: a flood of one error is one entry; a flood of distinct ones stops at 50.
    if (key && (errors.has(key) || errors.size < 50)) errors.set(key, (errors.get(key) ?? 0) + 1);
  };

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
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      tail.push(...lines.map((line) => line.slice(0, 400)));
      tail.splice(0, Math.max(0, tail.length - 12));
      for (const line of lines) noteError(line);
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
    redis, http, auth, acct, crashes, errors,
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
