// RADIUS load: Mektep vs FreeRADIUS vs a bare Node responder (for accounting also one that
// writes once to Redis before it answers), side by side in one run.
// MAC authentication (the daily bulk: remembered devices reconnecting) and accounting
// Interim-Updates. Prints req/s, latency and server CPU seconds per 10,000 requests (Mektep
// counted with its Redis). Usage: npm run bench:radius [-- --requests 30000 --devices 10000
// --load all|mac-auth|accounting --rate 8000 (0: as fast as possible) --log-level info --workers 1 --no-class]; MEKTEP_PROFILE=<dir>
// writes a CPU profile of Mektep there (summed by function and file: tsx bench/lib/cpuprofile.ts <file>;
// Mektep's code alone, without UDP: tsx bench/lib/mac-auth-inprocess.ts). Mektep logs at info (one authentication line per decision,
// as in production) into a file; Interim-Updates carry the Class of the device's Access-Accept, as
// a NAS echoes it (--no-class: without, as before 2026-12-01, which costs Mektep a session read).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDebianPackages } from '../src/setup/debian.js';
import { childPids, totalCpu } from './lib/cpu.js';
import { startFreeRadius, writeConfig } from '../test/helpers/freeradius.js';
import { percentile, runLoad, type LoadResult } from './lib/load.js';
import { attributeOf, benchMacs, interimTemplate, macAuthTemplate } from './lib/packets.js';
import { freePort } from '../test/helpers/ports.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '30000' }, devices: { type: 'string', default: '10000' }, load: { type: 'string', default: 'all' }, rate: { type: 'string', default: '8000' },
    'log-level': { type: 'string', default: 'info' }, workers: { type: 'string', default: '1' }, 'no-class': { type: 'boolean', default: false },
  },
});
const RATE = Number(values.rate);
const REQUESTS = Number(values.requests);
const DEVICES = Number(values.devices);
const SECRET = 'bench-secret-123';

if (!ensureDebianPackages([{ command: 'redis-server', pkg: 'redis-server' }, { command: 'freeradius', pkg: 'freeradius' }])) process.exit(1);

interface Target {
  name: string;
  auth: number;
  acct: number;
  pids: () => number[];
  /** Measured with Interim-Updates only (the Redis floor: MAC authentication does not write). */
  accountingOnly?: boolean;
}

const dir = mkdtempSync(join(tmpdir(), 'mk-bench-'));
const children: ChildProcess[] = [];
const macs = benchMacs(DEVICES);
const auths = macs.map((mac) => macAuthTemplate(mac, SECRET));

async function accepts(port: number): Promise<boolean> {
  const result = await runLoad({ port, packet: (_i, id) => auths[0]!(id), total: 1, sockets: 1, inFlightPerSocket: 1, timeoutMs: 500 });
  return result.byCode[2] === 1;
}

async function startMektep(): Promise<Target> {
  const [http, auth, acct] = [await freePort(), await freePort(), await freePort()];
  const env = { ...process.env, DATA_DIR: join(dir, 'mektep'), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: String(auth), RADIUS_ACCT_PORT: String(acct), LOG_LEVEL: values['log-level'], WORKERS: values.workers };
  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['src/cli/bin.js', ...args], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`mektep ${args.join(' ')}: ${result.stderr}`);
  };
  cli('school', 'add', 'bench', '--name', 'Bench school');
  cli('nas', 'add', '127.0.0.1', '--secret', SECRET, '--vendor', 'mikrotik', '--school', 'bench');
  cli('policy', 'set', 'student', '--down', '5M', '--up', '1M', '--session-timeout', '8h');
  writeFileSync(join(dir, 'devices.csv'), `mac,role,school\n${macs.map((mac) => `${mac},student,bench`).join('\n')}\n`);
  cli('device', 'import', join(dir, 'devices.csv'));
  // Its log goes to a file, as to journald in production: the bench's terminal stays readable.
  const logFile = openSync(join(dir, 'mektep.log'), 'w');
  const child = spawn(process.execPath, [...(process.env.MEKTEP_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.MEKTEP_PROFILE] : []), 'dist/server.js'], { env, stdio: ['ignore', logFile, 'inherit'] });
  closeSync(logFile);
  children.push(child);
  const deadline = Date.now() + 20_000;
  while (!(await accepts(auth))) {
    if (Date.now() > deadline) throw new Error('Mektep did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Node first, then its children (Redis, and the workers with WORKERS > 1).
  return { name: 'Mektep (Node + Redis)', auth, acct, pids: () => [child.pid!, ...childPids(child.pid!)] };
}

async function startReference(): Promise<Target> {
  const [auth, acct] = [await freePort(), await freePort()];
  const raddb = writeConfig(join(dir, 'freeradius'), { authPort: auth, acctPort: acct, secret: SECRET, macs });
  const server = await startFreeRadius(raddb, () => accepts(auth));
  children.push(server.process);
  return { name: 'FreeRADIUS 3 (files, detail)', auth, acct, pids: () => [server.process.pid!] };
}

/** The bare responder; with `redis`, accounting replies wait for one write to its own embedded Redis. */
async function startBare(redis = false): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/bare-server.ts', String(port), SECRET, ...(redis ? [join(dir, 'bare')] : [])], { stdio: 'inherit' });
  children.push(child);
  while (!(await accepts(port))) await new Promise((resolve) => setTimeout(resolve, 200));
  return { name: redis ? 'bare Node + one Redis write' : 'bare Node (sign only)', auth: port, acct: port, pids: () => [child.pid!, ...childPids(child.pid!)], accountingOnly: redis };
}

interface Row {
  target: string;
  load: string;
  result: LoadResult;
  cpu: number;
  /** CPU of each process of the target, main process first (Mektep: Node, then Redis). */
  parts: number[];
}

async function measure(target: Target, load: string, port: number, packet: (index: number, identifier: number) => Buffer): Promise<Row> {
  const pids = target.pids();
  const before = pids.map((pid) => totalCpu([pid]));
  const result = await runLoad({ port, packet, total: REQUESTS, sockets: 4, inFlightPerSocket: 64, timeoutMs: 3000, ...(RATE > 0 ? { rate: RATE } : {}) });
  const parts = pids.map((pid, i) => totalCpu([pid]) - before[i]!);
  return { target: target.name, load, result, cpu: parts.reduce((a, b) => a + b, 0), parts };
}

function print(rows: Row[]): void {
  const classes = values['no-class'] ? 'Interim without Class' : 'Interim with Class';
  console.log(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · ${REQUESTS} requests, ${DEVICES} devices, ${RATE > 0 ? `paced at ${RATE} req/s` : 'unpaced'} · log ${values['log-level']} · workers ${values.workers} · ${classes} · load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}\n`);
  console.log('| load | server | req/s | p50 ms | p99 ms | errors | CPU s / 10k req | of which per process |');
  console.log('|---|---|---:|---:|---:|---:|---:|---|');
  for (const { target, load, result, cpu, parts } of rows) {
    const split = parts.length > 1 ? parts.map((part) => ((part / result.sent) * 10_000).toFixed(3)).join(' + ') : '';
    const errors = result.timedOut + Object.entries(result.byCode).filter(([code]) => code !== '2' && code !== '5').reduce((sum, [, n]) => sum + n, 0);
    console.log(`| ${load} | ${target} | ${Math.round(result.answered / result.seconds)} | ${percentile(result.latenciesMs, 50).toFixed(2)} | ${percentile(result.latenciesMs, 99).toFixed(2)} | ${errors} | ${((cpu / result.sent) * 10_000).toFixed(3)} | ${split} |`);
  }
}

try {
  const targets = [await startMektep(), await startReference(), await startBare(), ...(values.load === 'mac-auth' ? [] : [await startBare(true)])];
  const rows: Row[] = [];
  for (const target of values.load === 'accounting' ? [] : targets.filter((target) => !target.accountingOnly)) {
    await runLoad({ port: target.auth, packet: (i, id) => auths[i % DEVICES]!(id), total: 2000, sockets: 2, inFlightPerSocket: 32, timeoutMs: 3000 });
    rows.push(await measure(target, 'MAC auth', target.auth, (i, id) => auths[i % DEVICES]!(id)));
  }
  // Each device's Class, from Mektep's Access-Accept: a NAS echoes it in every accounting record.
  const classOf: (Buffer | undefined)[] = [];
  if (!values['no-class']) {
    await runLoad({ port: targets[0]!.auth, packet: (i, id) => auths[i]!(id), total: DEVICES, sockets: 2, inFlightPerSocket: 32, timeoutMs: 3000, onReply: (i, reply) => (classOf[i] = Buffer.from(attributeOf(reply, 25) ?? [])) });
  }
  const starts = macs.map((mac, i) => interimTemplate(mac, SECRET, 'Start', classOf[i]));
  const interims = macs.map((mac, i) => interimTemplate(mac, SECRET, 'Interim-Update', classOf[i]));
  for (const target of values.load === 'mac-auth' ? [] : targets) {
    await runLoad({ port: target.acct, packet: (i, id) => starts[i % DEVICES]!(id, 0), total: DEVICES, sockets: 2, inFlightPerSocket: 32, timeoutMs: 3000 });
    rows.push(await measure(target, 'Interim-Update', target.acct, (i, id) => interims[i % DEVICES]!(id, 1 + Math.floor(i / DEVICES))));
  }
  print(rows);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  rmSync(dir, { recursive: true, force: true });
}
