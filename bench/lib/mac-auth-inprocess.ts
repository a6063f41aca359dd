// Mektep's own CPU per MAC authentication, without the UDP system calls: the real app (its Redis,
// info log into a file), remembered devices as bench/radius.ts registers them, and the requests
// handed straight to the auth socket's 'message' listener with the socket's send counted, not
// made. Shows what the server's code costs beside the kernel's UDP path; with --cpu-prof the
// profile holds only that code. Usage: tsx bench/lib/mac-auth-inprocess.ts [--requests 200000]
// [--log-level info] [--buffered-log: the log written in 4 KB batches instead of a write per line]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { targetFromUrl } from '../../src/redis/connection.js';
import { startTestRedis } from '../../test/helpers/redis.js';
import { benchMacs, macAuthTemplate } from './packets.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' }, devices: { type: 'string', default: '10000' }, 'log-level': { type: 'string', default: 'info' }, 'buffered-log': { type: 'boolean', default: false } } });
const REQUESTS = Number(values.requests);
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
const app = await buildApp({ config, logger: createLogger(config.logLevel, pino.destination({ dest: join(dir, 'mektep.log'), ...(values['buffered-log'] ? { sync: false, minLength: 4096 } : { sync: true }) }) as unknown as NodeJS.WritableStream), redis: targetFromUrl(redis.url) });
await app.ready();
const socket = app.radius.auth.socket;
let replies = 0;
let accepts = 0;
socket.send = ((reply: Buffer) => {
  replies++;
  if (reply[0] === 2) accepts++;
}) as typeof socket.send;
const auths = macs.map((mac) => macAuthTemplate(mac, SECRET));
// Requests are built before the clock starts: their signing is the NAS's work, not Mektep's.
const PACKETS = 100_000;
const packets = Array.from({ length: PACKETS }, (_, i) => auths[i % macs.length]!(i & 255));

async function run(count: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    // Eight NAS ports as a busy controller uses; a packet comes again only from another port, so
    // no request is a retransmission of another, and the duplicate cache holds what a NAS fills.
    socket.emit('message', packets[i % PACKETS], { address: '127.0.0.1', family: 'IPv4', port: 40_000 + (Math.floor(i / PACKETS) % 8), size: 0 });
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / count;
}

await run(20_000);
replies = accepts = 0;
const microseconds = await run(REQUESTS);
console.log(`${REQUESTS} MAC authentications in process (log ${values['log-level']}${values['buffered-log'] ? ', buffered' : ''}, load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}): ${microseconds.toFixed(2)} µs CPU each (${(microseconds / 100).toFixed(3)} s / 10k), ${accepts}/${replies} accepted`);
await app.close();
await redis.close();
rmSync(dir, { recursive: true, force: true });
