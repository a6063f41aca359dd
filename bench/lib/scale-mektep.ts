// One Mektep process (`node dist/server.js`, its embedded Redis in DATA_DIR) for the scale run:
// how long it takes to be ready with the state in DATA_DIR, and the memory it then holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childPids } from './cpu.js';
import { ROOT, freePort, waitFor } from '../../test/helpers/process.js';

export interface Mektep {
  child: ChildProcess;
  http: number;
  auth: number;
  acct: number;
  /** Spawn until /readyz answers 200 (Redis loaded its append-only file, directories read, sockets bound). */
  readyMs: number;
  /** Spawn until /healthz answers: serving (MAC auth asks Redis) while the directory loads. */
  listeningMs: number;
  redisPid: () => number | undefined;
  logPath: string;
  stop(): Promise<void>;
}

export interface Footprint {
  rss: number;
  heapUsed: number;
  redisRss: number;
}

export const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** `extraEnv`: settings beyond the defaults (e.g. REDIS_COMMAND_TIMEOUT_MS). */
export async function startMektep(dataDir: string, logName: string, extraEnv: Record<string, string> = {}): Promise<Mektep> {
  const [http, auth, acct] = [await freePort(), await freePort(), await freePort()];
  const env = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: String(auth), RADIUS_ACCT_PORT: String(acct), LOG_LEVEL: 'info', ...extraEnv };
  // The log goes to a file, as to journald in production (one line per decision at info).
  const logPath = join(dataDir, `${logName}.log`);
  const log = openSync(logPath, 'w');
  const started = Date.now();
  const child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = (why: string) => new Error(`Mektep ${why}; the end of ${logPath}:\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
  const died = exited.then(() => Promise.reject(failed(`exited (${child.exitCode ?? child.signalCode})`)));
  died.catch(() => undefined);
  const answers = (path: string) => async () => ((await fetch(`http://127.0.0.1:${http}${path}`).catch(() => undefined))?.status === 200 ? true : undefined);
  const listening = waitFor(answers('/healthz'), 300_000, 'Mektep to listen').then(() => Date.now() - started, () => NaN);
  try {
    await Promise.race([waitFor(answers('/readyz'), 300_000, 'Mektep to be ready'), died]);
  } catch (error) {
    // SIGTERM: Mektep stops its embedded Redis on the way out (SIGKILL would orphan it).
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(20_000)]);
    throw error instanceof Error && error.message.startsWith('timed out') ? failed('was not ready after 300 s') : error;
  }
  const readyMs = Date.now() - started;
  const listeningMs = await listening;
  return {
    child, http, auth, acct, readyMs, listeningMs, logPath,
    redisPid: () => childPids(child.pid!)[0],
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/** Memory of a started Mektep after it settled: RSS and V8 heap in use (its /metrics), Redis's RSS. */
export async function footprint(mektep: Mektep, settleMs = 5000): Promise<Footprint> {
  await sleep(settleMs);
  const metrics = await (await fetch(`http://127.0.0.1:${mektep.http}/metrics`)).text();
  const heapUsed = Number(/^mektep_nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN);
  const redis = mektep.redisPid();
  return { rss: rssOf(mektep.child.pid!), heapUsed, redisRss: redis ? rssOf(redis) : NaN };
}

/**
 * Starts Mektep as an operator would: with the defaults, then (before 2026-12-01 each instance
 * read every device in one pipeline at start-up, each reply due within REDIS_COMMAND_TIMEOUT_MS,
 * 1 s by default) twice with its maximum, 10 s. Returns the Mektep that started, if any, and why
 * the others did not. Ready means /readyz 200, which waits for the device directory's load.
 */
export async function startPatiently(dataDir: string, logName: string): Promise<{ mektep?: Mektep; failures: string[] }> {
  const failures: string[] = [];
  const longer: Record<string, string> = { REDIS_COMMAND_TIMEOUT_MS: '10000' };
  for (const [attempt, env] of [{}, longer, longer].entries()) {
    try {
      return { mektep: await startMektep(dataDir, `${logName}-${attempt}`, env), failures };
    } catch (error) {
      const why = String(error).split('\n').filter((line) => /^mektep:|not ready/.test(line)).join(' ');
      failures.push(`${Object.keys(env).length ? 'REDIS_COMMAND_TIMEOUT_MS=10000' : 'defaults'}: ${why || String(error).split('\n')[0]}`);
    }
  }
  return { failures };
}

/** What Mektep warned about (messages by count) and Redis's slow-disk and rewrite notes: where a stall came from. */
export function logDigest(mektep: Mektep, dataDir: string): string {
  const warnings = new Map<string, number>();
  for (const line of readFileSync(mektep.logPath, 'utf8').split('\n')) {
    const entry = /"level":(\d+).*"msg":"([^"]*)"/.exec(line);
    if (entry && Number(entry[1]) >= 40) warnings.set(entry[2]!, (warnings.get(entry[2]!) ?? 0) + 1);
  }
  const redisLog = readFileSync(join(dataDir, 'redis', 'redis.log'), 'utf8');
  const count = (pattern: RegExp) => redisLog.split('\n').filter((line) => pattern.test(line)).length;
  const mektepPart = [...warnings].map(([message, times]) => `${times} × "${message}"`).join(', ') || 'no warnings';
  return `Mektep log: ${mektepPart}; Redis log: ${count(/fsync is taking too long/)} slow-fsync notes, ${count(/Background append only file rewriting started/)} AOF rewrites`;
}
