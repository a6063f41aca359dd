// A region on one box (issue 12): a region's state in a fresh DATA_DIR (schools, registered
// devices through the store's import path, live sessions through real MAC authentication and
// Accounting-Start over UDP to a running Mektep), then the region's morning peak against it.
// Reports Mektep's start-up time and memory at 0, 100k and all devices, Redis bytes per device
// and per live session (INFO used_memory deltas and MEMORY USAGE per key family), MAC-auth and
// accounting latency at the peak rates with every request counted, and the CPU left over.
//   npm run bench:scale -- [--devices 400000] [--sessions 100000] [--schools 600] [--minutes 5]
//                          [--auth-rate 500] [--acct-rate 700]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { connectRedis, openRedis, type RedisHandle } from '../src/redis/connection.js';
import { ensureDebianPackages } from '../src/setup/debian.js';
import { createStore } from '../src/store/index.js';
import { cpuSeconds } from './lib/cpu.js';
import { benchMacs } from './lib/packets.js';
import { measureDirectory } from './lib/scale-directory.js';
import { footprint, logDigest, startPatiently, type Mektep } from './lib/scale-mektep.js';
import { machine, mb, n, printCheckpoints, printPeak, printSessions, type Checkpoint } from './lib/scale-report.js';
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

try {
  let store = await seedRegion(await open(), SCHOOLS, SECRET);
  const base = { used: await usedMemory(redis!), audit: await memoryOf('mk:audit') };
  console.log(`scale: ${n(SCHOOLS)} schools seeded in ${dir}; loading ${n(DEVICES)} devices`);

  // Every instance keeps every device in memory: start-up and size at 0, 100k and all devices.
  const checkpoints: Checkpoint[] = [];
  let loaded = 0;
  for (const target of [...new Set([0, Math.min(100_000, DEVICES), DEVICES])]) {
    const importStart = Date.now();
    await importDevices(store, region.macs, loaded, target, SCHOOLS);
    const importSeconds = (Date.now() - importStart) / 1000;
    loaded = target;
    const [redisUsed, audit, directory] = [await usedMemory(redis!), await memoryOf('mk:audit'), await measureDirectory(store)];
    await close();
    const started = await startPatiently(dir, `mektep-${target}`);
    mektep = started.mektep;
    checkpoints.push({ devices: target, importSeconds, redisUsed, audit, directory, failures: started.failures, ...(mektep ? { readyMs: mektep.readyMs, footprint: await footprint(mektep) } : {}) });
    console.log(`  ${n(target)} devices: imported in ${importSeconds.toFixed(1)} s, directory loaded in ${n(directory.loadMs)} ms, Mektep ${mektep ? `listening in ${n(mektep.listeningMs)} ms, ready in ${n(mektep.readyMs)} ms` : 'did not start'}${started.failures.length ? ` (${started.failures.join('; ')})` : ''}`);
    if (target !== DEVICES && mektep) {
      await mektep.stop();
      mektep = undefined;
    }
    store = createStore(await open());
  }
  console.log(`\n${machine()}`);
  console.log(`${n(SCHOOLS)} schools, ${n(DEVICES)} devices`);
  printCheckpoints(checkpoints, base);
  if (!mektep) throw new Error(`Mektep did not start with ${n(DEVICES)} devices: no sessions and no peak`);
  const ports = { auth: mektep.auth, acct: mektep.acct };

  // Live sessions the way access points make them: MAC authentication, then Accounting-Start.
  const beforeSessions = await usedMemory(redis!);
  const connected = await connectDevices(region, ports, SESSIONS);
  const sessionBytes = (await usedMemory(redis!)) - beforeSessions;
  printSessions(connected.sessions.length, sessionBytes, await keyFamilies(redis!), DEVICES, connected, await sessionHashEncoding(redis!));

  // The morning peak.
  const pids = { node: mektep.child.pid!, redis: mektep.redisPid()! };
  const cpuBefore = { node: cpuSeconds(pids.node), redis: cpuSeconds(pids.redis), bench: process.cpuUsage() };
  console.log(`\npeak: ${values['auth-rate']} MAC auth/s + ${values['acct-rate']} accounting/s for ${values.minutes} min over ${n(connected.sessions.length)} live sessions; at its start ${machine()}`);
  const wallStart = Date.now();
  const run = await peak(region, ports, connected.sessions, { seconds: Number(values.minutes) * 60, authRate: Number(values['auth-rate']), acctRate: Number(values['acct-rate']), stopEvery: STOP_EVERY, intervalSeconds: INTERVAL_SECONDS });
  const wall = (Date.now() - wallStart) / 1000;
  const generator = process.cpuUsage(cpuBefore.bench);
  const cpu = { node: cpuSeconds(pids.node) - cpuBefore.node, redis: cpuSeconds(pids.redis) - cpuBefore.redis, bench: (generator.user + generator.system) / 1e6 };
  console.log(`at its end ${machine()}`);
  printPeak(run, INTERVAL_SECONDS);

  const cores = cpus().length;
  const requests = run.auth.sent + run.acct.sent;
  const busy = cpu.node + cpu.redis;
  const after = await footprint(mektep, 1000);
  console.log(`\nCPU over ${wall.toFixed(0)} s × ${cores} cores = ${(wall * cores).toFixed(0)} core-s: Mektep Node ${cpu.node.toFixed(1)} s (${((1e6 * cpu.node) / requests).toFixed(0)} µs/request), Redis ${cpu.redis.toFixed(1)} s (${((1e6 * cpu.redis) / requests).toFixed(0)} µs/request), load generator ${cpu.bench.toFixed(1)} s; left over ${(100 * (1 - busy / (wall * cores))).toFixed(1)} % of the machine (${(100 * (1 - busy / wall)).toFixed(1)} % of one core)`);
  console.log(logDigest(mektep, dir));
  console.log(`after the peak: Mektep RSS ${mb(after.rss)} MB, V8 heap ${mb(after.heapUsed)} MB, Redis RSS ${mb(after.redisRss)} MB, used_memory ${mb(await usedMemory(redis!))} MB`);
} finally {
  await close().catch(() => undefined);
  await mektep?.stop();
  rmSync(dir, { recursive: true, force: true });
}
