// Mektep's own CPU per MAC authentication, without the UDP system calls: the real app (its Redis,
// info log into a file), remembered devices as bench/radius.ts registers them, and the requests
// handed straight to the auth socket's 'message' listener with the socket's send counted, not
// made. Shows what the server's code costs beside the kernel's UDP path; with --cpu-prof the
// profile holds only that code. With --load interim: Interim-Updates of the devices' sessions
// (each opened by an Accounting-Start carrying the Class of the device's accept, as a NAS
// sends them), handed to the accounting socket, each answered after its Redis write; Node's CPU
// only (Redis is another process). Usage: tsx bench/lib/mac-auth-inprocess.ts [--requests 200000]
// [--load mac-auth|interim] [--log-level info] [--log server|pino-default|sync: the server's own
// destination (logger.ts logDestination), pino's default one (a write per line, from the thread
// pool), or a synchronous write per line; each into a file] [--paced: one request per event-loop turn]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino, type DestinationStream } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger, logDestination } from '../../src/logger.js';
import { targetFromUrl } from '../../src/redis/connection.js';
import { startTestRedis } from '../../test/helpers/redis.js';
import { attributeOf, benchMacs, interimTemplate, macAuthTemplate } from './packets.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' }, devices: { type: 'string', default: '10000' }, 'log-level': { type: 'string', default: 'info' }, log: { type: 'string', default: 'server' }, paced: { type: 'boolean', default: false }, load: { type: 'string', default: 'mac-auth' } } });
const REQUESTS = Number(values.requests);
const PACED = values.paced;
const SECRET = 'bench-secret-123';
const dir = mkdtempSync(join(tmpdir(), 'mk-inproc-'));
const redis = await startTestRedis();
const env = { ...process.env, REDIS_URL: redis.url };
const cli = (...args: string[]) => {
  const result = spawnSync(process.execPath, ['src/cli/bin.js', ...args], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mektep ${args.join(' ')}: ${result.stderr}`);
};
const macs = benchMacs(Number(values.devices));
cli('school', 'add', 'bench', '--name', 'Bench school');
cli('nas', 'add', '127.0.0.1', '--secret', SECRET, '--vendor', 'mikrotik', '--school', 'bench');
cli('policy', 'set', 'student', '--down', '5M', '--up', '1M', '--session-timeout', '8h');
writeFileSync(join(dir, 'devices.csv'), `mac,role,school\n${macs.map((mac) => `${mac},student,bench`).join('\n')}\n`);
cli('device', 'import', join(dir, 'devices.csv'));

const config = loadConfig({ REDIS_URL: redis.url, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0', LOG_LEVEL: values['log-level'] });
const logFile = join(dir, 'mektep.log');
const destinations: Record<string, () => DestinationStream> = {
  server: () => logDestination(logFile),
  'pino-default': () => pino.destination({ dest: logFile, sync: false }),
  sync: () => pino.destination({ dest: logFile, sync: true }),
};
const destination = destinations[values.log];
if (!destination) throw new Error(`--log ${values.log}: expected ${Object.keys(destinations).join(', ')}`);
const app = await buildApp({ config, logger: createLogger(config.logLevel, destination()), redis: targetFromUrl(redis.url) });
await app.ready();
const INTERIM = values.load === 'interim';
let replies = 0;
let accepts = 0;
const classOf = new Map<number, Buffer>();
/** Who waits for the replies to reach a count (settled below). */
let waiter: { count: number; resolve: () => void } | undefined;
for (const { socket } of [app.radius.auth, app.radius.acct]) {
  socket.send = ((reply: Buffer) => {
    replies++;
    if (waiter && replies >= waiter.count) {
      waiter.resolve();
      waiter = undefined;
    }
    if (reply[0] === 2) {
      accepts++;
      classOf.set(reply[1]!, Buffer.from(attributeOf(reply, 25) ?? []));
    }
  }) as typeof socket.send;
}
const auths = macs.map((mac) => macAuthTemplate(mac, SECRET));
const peer = (port: number) => ({ address: '127.0.0.1', family: 'IPv4' as const, port, size: 0 });

/** Every reply in (accounting replies wait for Redis), or 10 s passed: a dropped record is never answered. */
async function settled(sent: number): Promise<void> {
  if (replies >= sent) return;
  // Waiting idle, not polling: the CPU measured is the server's.
  await new Promise<void>((resolve) => {
    waiter = { count: sent, resolve };
    setTimeout(resolve, 10_000).unref();
  });
}

// Requests are built before the clock starts: their signing is the NAS's work, not Mektep's.
const PACKETS = 100_000;
let packets: Buffer[];
let socket = app.radius.auth.socket;
if (INTERIM) {
  // Each device's Class from its accept (one at a time, by Identifier), then its session's Start.
  const classes: Buffer[] = [];
  for (let i = 0; i < macs.length; i++) {
    const before = replies;
    socket.emit('message', auths[i]!(i & 255), peer(39_000));
    await settled(before + 1);
    classes.push(classOf.get(i & 255)!);
  }
  const starts = macs.map((mac, i) => interimTemplate(mac, SECRET, 'Start', classes[i]));
  socket = app.radius.acct.socket;
  replies = 0;
  for (let i = 0; i < macs.length; i++) {
    socket.emit('message', starts[i]!(i & 255, 0), peer(39_001 + (i >> 8)));
    if (i % 256 === 255) await settled(i - 512);
  }
  await settled(macs.length);
  const interims = macs.map((mac, i) => interimTemplate(mac, SECRET, 'Interim-Update', classes[i]));
  packets = Array.from({ length: PACKETS }, (_, i) => interims[i % macs.length]!(i & 255, 1 + Math.floor(i / macs.length)));
} else {
  packets = Array.from({ length: PACKETS }, (_, i) => auths[i % macs.length]!(i & 255));
}

let offset = 0;
/** Garbage collections during a run: young-generation ones (scavenges) say how much was allocated. */
const gc = { minor: 0, major: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
    else gc.major++;
    gc.ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

async function run(count: number): Promise<number> {
  replies = accepts = 0;
  gc.minor = gc.major = gc.ms = 0;
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    // Eight NAS ports as a busy controller uses; a packet comes again only from another port, so
    // no request is a retransmission of another, and the duplicate cache holds what a NAS fills.
    const at = offset + i;
    socket.emit('message', packets[at % PACKETS], peer(40_000 + (Math.floor(at / PACKETS) % 8)));
    // --paced: a datagram per event-loop turn, as a NAS's requests arrive at 8,000/s (a log
    // write started for one line completes before the next); otherwise 256 per turn.
    if (PACED && !INTERIM) await new Promise((resolve) => setImmediate(resolve));
    // Accounting waits for Redis: at most a few thousand records in flight.
    else if (i % 256 === 255) await (INTERIM ? settled(i - 2048) : new Promise((resolve) => setImmediate(resolve)));
  }
  offset += count;
  await settled(count);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / count;
}

await run(20_000);
const microseconds = await run(REQUESTS);
const what = INTERIM ? 'Interim-Updates' : 'MAC authentications';
console.log(`${REQUESTS} ${what} in process (log ${values['log-level']} ${values.log}${PACED ? ', paced' : ''}, load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}): ${microseconds.toFixed(2)} µs CPU each (${(microseconds / 100).toFixed(3)} s / 10k), ${INTERIM ? replies : accepts}/${REQUESTS} ${INTERIM ? 'answered' : 'accepted'}; GC ${gc.minor} scavenges, ${gc.major} other, ${((gc.ms * 1000) / REQUESTS).toFixed(2)} µs each`);
await app.close();
await redis.close();
rmSync(dir, { recursive: true, force: true });
