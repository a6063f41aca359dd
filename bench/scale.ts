// A region on one box (issue 12): a region's state in a fresh DATA_DIR (schools, registered
// devices through the store's import path, live sessions through real MAC authentication and
// Accounting-Start over UDP to a running Mektep), then the region's morning peak against it.
// Reports Mektep's start-up time and memory at 0, 100k and all devices, Redis bytes per device
// and per live session (INFO used_memory deltas and MEMORY USAGE per key family), MAC-auth and
// accounting latency at the peak rates with every request counted, and the CPU left over.
//   npm run bench:scale -- [--devices 400000] [--sessions 100000] [--schools 600] [--minutes 5]
//                          [--auth-rate 500] [--acct-rate 700]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { connectRedis, openRedis, type RedisHandle } from '../src/redis/connection.js';
import { ensureDebianPackages } from '../src/setup/debian.js';
import { createStore } from '../src/store/index.js';
import { cpuSeconds } from './lib/cpu.js';
import { percentile, type LoadResult } from './lib/load.js';
import { benchMacs } from './lib/packets.js';
import { footprint, startMektep, type Footprint, type Mektep } from './lib/scale-mektep.js';
import { importDevices, keyFamilies, seedRegion, sessionHashEncoding, usedMemory } from './lib/scale-state.js';
import { connectDevices, peak } from './lib/scale-traffic.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '400000' }, sessions: { type: 'string', default: '100000' }, schools: { type: 'string', default: '600' },
    minutes: { type: 'string', default: '5' }, 'auth-rate': { type: 'string', default: '500' }, 'acct-rate': { type: 'string', default: '700' },
  },
});
const DEVICES = Number(values.devices);
const SESSIONS = Math.min(Number(values.sessions), DEVICES);
const SCHOOLS = Number(values.schools);
const SECRET = 'scale-secret-0123456789';
const STOP_EVERY = 20;
/** Latency per interval of the peak: 10 s in a quick run, else 30 s. */
const INTERVAL_SECONDS = Number(values.minutes) <= 1 ? 10 : 30;

if (!ensureDebianPackages([{ command: 'redis-server', pkg: 'redis-server' }])) process.exit(1);

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
const n = (value: number) => Math.round(value).toLocaleString('en-US');
// Short: the embedded Redis's unix socket lives under DATA_DIR (108-byte limit).
const dir = mkdtempSync('/tmp/mk-scale-');
const region = { macs: benchMacs(DEVICES), schools: SCHOOLS, secret: SECRET };
let mektep: Mektep | undefined;
let handle: RedisHandle | undefined;
let redis: Redis | undefined;

/** Redis for the bench: the embedded one started here, or borrowed from the running Mektep. */
async function open(): Promise<Redis> {
  handle = await openRedis(undefined, dir, 'cli');
  redis = await connectRedis(handle.target);
  return redis;
}
async function close(): Promise<void> {
  redis?.disconnect();
  await handle?.close();
}
const memoryOf = async (key: string) => Number(await redis!.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) || 0;

interface Checkpoint extends Footprint { devices: number; importSeconds: number; readyMs: number; redisUsed: number; audit: number }

try {
  let store = await seedRegion(await open(), SCHOOLS, SECRET);
  const baseMemory = await usedMemory(redis!);
  const baseAudit = await memoryOf('mk:audit');
  console.log(`scale: ${n(SCHOOLS)} schools seeded in ${dir}; loading ${n(DEVICES)} devices`);

  // Every instance keeps every device in memory: its size at 0, 100k and all devices.
  const checkpoints: Checkpoint[] = [];
  const timeoutNeeded: number[] = [];
  let loaded = 0;
  for (const target of [...new Set([0, Math.min(100_000, DEVICES), DEVICES])]) {
    const importStart = Date.now();
    await importDevices(store, region.macs, loaded, target, SCHOOLS);
    const importSeconds = (Date.now() - importStart) / 1000;
    loaded = target;
    const redisUsed = await usedMemory(redis!);
    const audit = await memoryOf('mk:audit');
    await close();
    mektep = await startMektep(dir, `mektep-${target}`).catch((error: unknown) => {
      // Every instance reads all devices in one pipeline at start-up; each reply must come
      // within REDIS_COMMAND_TIMEOUT_MS (1 s by default). Said, then measured with the maximum.
      console.log(`  ${n(target)} devices: Mektep did not start with the defaults: ${String(error).split('\n').filter((line) => /mektep:|timed out|not ready/.test(line)).join(' ')}`);
      timeoutNeeded.push(target);
      return startMektep(dir, `mektep-${target}-timeout`, { REDIS_COMMAND_TIMEOUT_MS: '10000' });
    });
    checkpoints.push({ devices: target, importSeconds, readyMs: mektep.readyMs, redisUsed, audit, ...(await footprint(mektep)) });
    console.log(`  ${n(target)} devices: imported in ${importSeconds.toFixed(1)} s, Mektep ready in ${mektep.readyMs} ms`);
    if (target !== DEVICES) {
      await mektep.stop();
      mektep = undefined;
    }
    store = createStore(await open());
  }
  const ports = { auth: mektep!.auth, acct: mektep!.acct };

  // Live sessions the way access points make them: MAC authentication, then Accounting-Start.
  const beforeSessions = await usedMemory(redis!);
  const connected = await connectDevices(region, ports, SESSIONS);
  const afterSessions = await usedMemory(redis!);
  const families = await keyFamilies(redis!);
  const sessionHash = await sessionHashEncoding(redis!);

  // The morning peak.
  const pids = { node: mektep!.child.pid!, redis: mektep!.redisPid()! };
  const cpuBefore = { node: cpuSeconds(pids.node), redis: cpuSeconds(pids.redis), bench: process.cpuUsage() };
  const load = loadavg();
  const wallStart = Date.now();
  const run = await peak(region, ports, connected.sessions, { seconds: Number(values.minutes) * 60, authRate: Number(values['auth-rate']), acctRate: Number(values['acct-rate']), stopEvery: STOP_EVERY, intervalSeconds: INTERVAL_SECONDS });
  const wall = (Date.now() - wallStart) / 1000;
  const cpu = { node: cpuSeconds(pids.node) - cpuBefore.node, redis: cpuSeconds(pids.redis) - cpuBefore.redis, bench: (() => { const used = process.cpuUsage(cpuBefore.bench); return (used.user + used.system) / 1e6; })() };
  const after = await footprint(mektep!, 1000);
  const afterPeak = await usedMemory(redis!);

  // The report.
  const cores = cpus().length;
  console.log(`\n${new Date().toISOString()} · ${cores} × ${cpus()[0]?.model ?? 'cpu'} · ${mb(totalmem() / 1024)} GB RAM · Node ${process.version} · load average at the peak's start ${load.map((v) => v.toFixed(2)).join(' ')}, at its end ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  console.log(`${n(SCHOOLS)} schools, ${n(DEVICES)} devices, ${n(connected.sessions.length)} live sessions; peak ${values['auth-rate']} MAC auth/s + ${values['acct-rate']} accounting/s for ${values.minutes} min\n`);

  console.log('| registered devices | import s | Mektep ready ms | Mektep RSS MB | V8 heap used MB | Redis RSS MB | Redis used_memory MB | of which audit stream MB |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of checkpoints) console.log(`| ${n(c.devices)} | ${c.importSeconds.toFixed(1)} | ${n(c.readyMs)} | ${mb(c.rss)} | ${mb(c.heapUsed)} | ${mb(c.redisRss)} | ${mb(c.redisUsed)} | ${mb(c.audit)} |`);
  if (timeoutNeeded.length > 0) console.log(`\nWith ${timeoutNeeded.map(n).join(', ')} devices Mektep did not start with REDIS_COMMAND_TIMEOUT_MS=1000 (the default); those rows are with 10000.`);
  const first = checkpoints[0]!;
  const last = checkpoints.at(-1)!;
  if (last.devices > 0) {
    const per = (bytes: number) => n(bytes / last.devices);
    console.log(`\nper device: Mektep RSS ${per(last.rss - first.rss)} B, V8 heap ${per(last.heapUsed - first.heapUsed)} B; Redis used_memory ${per(last.redisUsed - baseMemory)} B (${per(last.redisUsed - baseMemory - (last.audit - baseAudit))} B without the audit stream's growth)`);
  }
  const sessionBytes = (afterSessions - beforeSessions) / Math.max(1, connected.sessions.length);
  console.log(`per live session: Redis used_memory ${n(sessionBytes)} B (target ≤ 1,024 B)`);
  if (sessionHash) console.log(`a session's hash: ${n(sessionHash.bytes)} B as stored (${sessionHash.encoding}; its longest value is "${sessionHash.longest}"), ${n(sessionHash.listpackBytes)} B with the same fields as a listpack`);
  const rate = (result: LoadResult) => n(result.answered / result.seconds);
  console.log(`set-up: ${n(connected.auth.answered)} MAC auth at ${rate(connected.auth)}/s, ${n(connected.start.answered)} Accounting-Start at ${rate(connected.start)}/s; ${connected.auth.timedOut + connected.start.timedOut} lost`);

  console.log('\n| key family | keys | bytes (MEMORY USAGE, sampled) | per device | per live session |');
  console.log('|---|---:|---:|---:|---:|');
  for (const family of families) {
    console.log(`| ${family.family} | ${n(family.keys)} | ${n(family.bytes)} | ${n(family.bytes / DEVICES)} | ${n(family.bytes / Math.max(1, connected.sessions.length))} |`);
  }

  console.log('\n| load | rate/s | sent | answered | lost | other than Accept / Response | p50 ms | p99 ms | max ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, result, expected] of [['MAC auth', run.auth, 2], [`accounting (${n(run.kinds['Interim-Update'])} Interim, ${n(run.kinds.Start)} Start, ${n(run.kinds.Stop)} Stop)`, run.acct, 5]] as const) {
    const other = Object.entries(result.byCode).filter(([code]) => Number(code) !== expected).reduce((sum, [, count]) => sum + count, 0);
    console.log(`| ${name} | ${rate(result)} | ${n(result.sent)} | ${n(result.answered)} | ${result.timedOut} | ${other} | ${percentile(result.latenciesMs, 50).toFixed(2)} | ${percentile(result.latenciesMs, 99).toFixed(2)} | ${(result.latenciesMs.at(-1) ?? NaN).toFixed(1)} |`);
  }
  console.log(`\n| sent in second | MAC auth p50 ms | p99 ms | accounting p50 ms | p99 ms |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const [index, interval] of run.intervals.entries()) {
    const [auth, acct] = [interval?.auth.sort((a, b) => a - b) ?? [], interval?.acct.sort((a, b) => a - b) ?? []];
    console.log(`| ${index * INTERVAL_SECONDS}–${(index + 1) * INTERVAL_SECONDS} | ${percentile(auth, 50).toFixed(2)} | ${percentile(auth, 99).toFixed(2)} | ${percentile(acct, 50).toFixed(2)} | ${percentile(acct, 99).toFixed(2)} |`);
  }
  const requests = run.auth.sent + run.acct.sent;
  const busy = cpu.node + cpu.redis;
  console.log(`\nCPU over ${wall.toFixed(0)} s × ${cores} cores = ${(wall * cores).toFixed(0)} core-s: Mektep Node ${cpu.node.toFixed(1)} s (${((1e6 * cpu.node) / requests).toFixed(0)} µs/request), Redis ${cpu.redis.toFixed(1)} s (${((1e6 * cpu.redis) / requests).toFixed(0)} µs/request), load generator ${cpu.bench.toFixed(1)} s; left over ${(100 * (1 - busy / (wall * cores))).toFixed(1)} % of the machine (${(100 * (1 - busy / wall)).toFixed(1)} % of one core)`);
  console.log(`after the peak: Mektep RSS ${mb(after.rss)} MB, V8 heap ${mb(after.heapUsed)} MB, Redis RSS ${mb(after.redisRss)} MB, used_memory ${mb(afterPeak)} MB`);
} finally {
  await close().catch(() => undefined);
  await mektep?.stop();
  rmSync(dir, { recursive: true, force: true });
}
