// WORKERS=2: `node dist/server.js` as a primary and two workers sharing the RADIUS sockets.
// Both workers answer radclient (their pids in the authentication log), /metrics shows the sum
// of both workers' counters whichever worker serves it, a device added by the CLI is known to
// both within a second, and SIGTERM stops everything, the embedded Redis too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, freePort, runCli, waitFor } from '../helpers/process.js';

const SECRET = 'cluster-test-secret';
const dataDir = mkdtempSync(join(tmpdir(), 'mk-cluster-'));
let env: Record<string, string>;
let server: ChildProcess | undefined;
let output = '';
/** Access-Accepts radclient has received so far, from either worker. */
let accepted = 0;

interface AuthLine {
  pid: number;
  event?: string;
  outcome?: string;
  mac?: string;
}

function authLines(since = 0): AuthLine[] {
  return output.slice(since).split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as AuthLine).filter((line) => line.event === 'auth');
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** `count` MAC authentications of `mac` sent at once by one radclient; resolves with the Accepts received. */
function macAuths(mac: string, count: number): Promise<number> {
  const request = `User-Name = "${mac}"\nCalling-Station-Id = "${mac}"\nService-Type = Call-Check\nNAS-IP-Address = 127.0.0.1\nMessage-Authenticator = 0x00\n`;
  return new Promise((resolve, reject) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '2', '-p', String(count), `127.0.0.1:${env.RADIUS_AUTH_PORT}`, 'auth', SECRET], { stdio: ['pipe', 'pipe', 'pipe'] });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const accepts = (printed.match(/^Received Access-Accept/gm) ?? []).length;
      accepted += accepts;
      resolve(accepts);
    });
    child.stdin.end(Array.from({ length: count }, () => request).join('\n'));
  });
}

/** Sends batches until each of `pids` has answered `mac` (at most `rounds`); every answer must be an Accept. */
async function answeredByAll(mac: string, pids: number[], rounds = 40): Promise<Set<number>> {
  const since = output.length;
  const seen = new Set<number>();
  let sent = 0;
  // The server writes its log a few kilobytes or LOG_FLUSH_MS at a time: each round's lines are
  // waited for, every one of them.
  const logged = () => waitFor(async () => (authLines(since).filter((line) => line.mac === mac).length >= sent ? true : undefined), 5000, 'a line per decision');
  for (let round = 0; round < rounds && pids.some((pid) => !seen.has(pid)); round++) {
    expect(await macAuths(mac, 32)).toBe(32);
    sent += 32;
    await logged();
    for (const line of authLines(since)) if (line.mac === mac && line.outcome === 'accept') seen.add(line.pid);
  }
  expect(authLines(since).filter((line) => line.mac === mac)).toHaveLength(sent);
  expect(authLines(since).filter((line) => line.mac === mac && line.outcome !== 'accept')).toEqual([]);
  return seen;
}

/** The value of one sample line (`name{labels}`) in a Prometheus exposition, or undefined. */
/** GET /metrics on a connection of its own (a pooled one may belong to a stopped worker). */
function readMetrics(): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: Number(env.HTTP_PORT), path: '/metrics', agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

beforeAll(async () => {
  env = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    RADIUS_HOST: '127.0.0.1',
    RADIUS_AUTH_PORT: String(await freePort()),
    RADIUS_ACCT_PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    WORKERS: '2',
  };
  for (const args of [['school', 'add', 'c1', '--name', 'Cluster school'], ['nas', 'add', '127.0.0.1', '--secret', SECRET, '--vendor', 'mikrotik', '--school', 'c1'], ['device', 'add', '00:1b:63:00:00:01', '--role', 'student', '--school', 'c1']]) {
    const result = await runCli(args, env);
    expect(result.code, result.stderr).toBe(0);
  }
});

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  try {
    process.kill(Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8')), 'SIGTERM');
  } catch {
    // no Redis left behind
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('WORKERS=2', () => {
  it('answers RADIUS from both workers, spreads a CLI change to both within a second, and stops everything on SIGTERM', async () => {
    const child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${env.HTTP_PORT}/readyz`)).status === 200 ? true : undefined), 30_000, 'mektep to be ready');
    const workers = await waitFor(async () => {
      const pids = [...new Set(output.split('\n').filter((line) => line.includes('"radius listening"')).map((line) => (JSON.parse(line) as AuthLine).pid))];
      return pids.length === 2 ? pids : undefined;
    }, 30_000, 'both workers listening');
    expect(workers).not.toContain(child.pid);
    // The primary prints the banner once every worker is up, which may be after /readyz answers.
    await waitFor(async () => (output.includes('Mektep is ready.') ? true : undefined), 30_000, 'the ready banner');
    expect(output.match(/Mektep is ready\./g)).toHaveLength(1);

    // Both workers answer from the one shared socket.
    expect([...(await answeredByAll('00:1b:63:00:00:01', workers))].sort()).toEqual([...workers].sort());

    // Each worker counted only the Accepts it sent; /metrics, served by either, shows their sum.
    for (let read = 0; read < 4; read++) {
      const exposition = await readMetrics();
      expect(sample(exposition, 'mektep_radius_replies_total{code="Access-Accept"}')).toBe(accepted);
      expect(sample(exposition, 'mektep_metrics_workers{state="answered"}')).toBe(2);
      expect(sample(exposition, 'mektep_metrics_workers{state="unanswered"}')).toBe(0);
      // Per-process figures as prom-client aggregates them: CPU and memory summed, a start time
      // (meaningless summed) left out, the Node.js version once.
      expect(sample(exposition, 'mektep_process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(exposition).not.toContain('mektep_process_start_time_seconds ');
      expect(exposition.match(/^mektep_nodejs_version_info\{/gm)).toHaveLength(1);
    }
    // A worker that cannot answer (stopped) is left out after a bounded wait, and said to be.
    process.kill(workers[0]!, 'SIGSTOP');
    try {
      const started = Date.now();
      const partial = await readMetrics();
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(sample(partial, 'mektep_metrics_workers{state="answered"}')).toBe(1);
      expect(sample(partial, 'mektep_metrics_workers{state="unanswered"}')).toBe(1);
    } finally {
      process.kill(workers[0]!, 'SIGCONT');
    }

    // A device added now: a second later, whichever worker a request reaches knows it.
    const fresh = '00:1b:63:00:00:02';
    expect(await macAuths(fresh, 1)).toBe(0);
    const added = await runCli(['device', 'add', fresh, '--role', 'student', '--school', 'c1'], env);
    expect(added.code, added.stderr).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([...(await answeredByAll(fresh, workers))].sort()).toEqual([...workers].sort());

    const redisPid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));
    expect(alive(redisPid)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(async () => (![...workers, redisPid].some(alive) ? true : undefined), 5000, 'workers and Redis to stop');
  }, 120_000);
});
