// Soak (issue 13): two Mektep processes (`node dist/server.js`) on one Redis behind Sentinel
// (a master, two replicas, three sentinels), a region's morning load — MAC authentication of
// returning devices, logins (portal logins walked over real HTTP by phones — landing page, login
// form, release page — whose credential the AP then presents to the OTHER instance; and direct
// PAP), accounting Start / Interim-Update / Stop — each request to either instance, as access
// points with two RADIUS servers send it, and the Redis master SIGKILLed half way. Reports, per
// minute: requests, replies lost, p99 latency, each instance's RSS and the master's used memory;
// and the portal's pages served, logins completed, Access-Accepts, lost replies and p99.
//   npm run bench:soak -- [--minutes 10] [--rate 150] [--devices 2000] [--users 500] [--logs <dir>]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectRedis, targetFromUrl } from '../src/redis/connection.js';
import { createStore } from '../src/store/index.js';
import { migrate } from '../src/store/schema.js';
import { ROOT, freePort, waitFor } from '../test/helpers/process.js';
import { accessRequest, accountingRequest } from '../test/helpers/radius-wire.js';
import { startSentinels } from '../test/helpers/sentinel.js';
import { percentile } from './lib/load.js';
import { chilliAccessAttributes, walkPortal, type ChilliAp } from './lib/portal-phone.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '150' }, devices: { type: 'string', default: '2000' }, users: { type: 'string', default: '500' }, logs: { type: 'string' } } });
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
const SECRET = 'soak-secret-0123456789';
const TIMEOUT_MS = 3000;
const mac = (index: number) => `02:00:5e:${((index >> 16) & 255).toString(16).padStart(2, '0')}:${((index >> 8) & 255).toString(16).padStart(2, '0')}:${(index & 255).toString(16).padStart(2, '0')}`;

/** Phones on the portal at once at most; beyond it a portal login is counted as skipped (the generator's limit, not Mektep's). */
const PORTAL_IN_FLIGHT = 64;
const PORTAL_TIMEOUT_MS = 10_000;
/** The CoovaChilli AP the phones are behind (its login URL within the NAS's address). */
const AP: ChilliAp = { uamip: '127.0.0.1', uamport: 3990, nasId: 'soak-ap', challenge: randomBytes(16) };

const instances: { child: ChildProcess; http: number; auth: number; acct: number }[] = [];

/** `busy`: the portal's own back-pressure (503 "try again", too many password checks waiting); `failed`: any other error or a walk over PORTAL_TIMEOUT_MS. */
interface Portal { walks: number; pages: number; logins: number; busy: number; failed: number; skipped: number; accepts: number; rejects: number; lost: number; walkMs: number[] }
interface Minute { sent: number; answered: number; lost: number; latencies: number[]; rss: number[]; redisBytes: number; portal: Portal }

const sentinels = await startSentinels({ replicas: 2 });
// Whatever happens, the Redis processes and the instances go with the bench.
process.on('exit', () => {
  for (const { child } of instances) child.kill('SIGKILL');
  void sentinels.close();
});
const seed = await connectRedis(targetFromUrl(sentinels.url));
seed.on('error', () => undefined);
await migrate(seed);
const store = createStore(seed);
await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', rejectDelayMs: 0 }, 'soak');
await store.devices.importCsv(['mac,role', ...Array.from({ length: Number(values.devices) }, (_, i) => `${mac(i)},student`)].join('\n'), { dryRun: false, actor: 'soak' });
await store.users.addMany(await Promise.all(Array.from({ length: Number(values.users) }, async (_, i) => ({ user: await store.users.prepare({ username: `pupil${i}`, password: `pupil-password-${i}`, role: 'student' }), password: `pupil-password-${i}` }))), 'soak');

for (let i = 0; i < 2; i++) {
  const [http, auth, acct] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ['dist/server.js'], {
    // --logs <dir>: each instance's warnings and errors (LOG_LEVEL warn) in instance-<n>.log, to see why requests failed.
    cwd: ROOT, stdio: values.logs ? ['ignore', openSync(join(values.logs, `instance-${i}.log`), 'w'), 'inherit'] : 'ignore',
    env: { PATH: process.env.PATH ?? '', REDIS_URL: sentinels.url, REDIS_WAIT_REPLICAS: '1', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), PUBLIC_URL: `http://127.0.0.1:${http}`, RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: String(auth), RADIUS_ACCT_PORT: String(acct), LOG_LEVEL: 'warn' },
  });
  instances.push({ child, http, auth, acct });
  await waitFor(async () => ((await fetch(`http://127.0.0.1:${http}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 30_000, 'an instance');
}

const minutes: Minute[] = [];
const minute = () => (minutes[Math.floor((Date.now() - started) / 60_000)] ??= {
  sent: 0, answered: 0, lost: 0, latencies: [], rss: [], redisBytes: 0, portal: { walks: 0, pages: 0, logins: 0, busy: 0, failed: 0, skipped: 0, accepts: 0, rejects: 0, lost: 0, walkMs: [] },
});
const sockets: Socket[] = [];
/** What became of a request: the reply's code, or undefined when none came in time. */
type Outcome = (code: number | undefined) => void;
const pending = new Map<string, { at: number; bucket: Minute; timer: NodeJS.Timeout; outcome: Outcome | undefined }>();
for (let i = 0; i < 16; i++) {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  socket.on('message', (reply) => {
    const key = `${i}/${reply[1]}`;
    const entry = pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(key);
    entry.bucket.answered++;
    entry.bucket.latencies.push(Date.now() - entry.at);
    entry.outcome?.(reply[0]);
  });
  sockets.push(socket);
}

let counter = 0;
function send(port: number, build: (identifier: number) => Buffer, outcome?: Outcome): void {
  const index = counter++ % sockets.length;
  let identifier = Math.floor(counter / sockets.length) % 256;
  for (let tries = 0; pending.has(`${index}/${identifier}`) && tries < 256; tries++) identifier = (identifier + 1) % 256;
  const key = `${index}/${identifier}`;
  if (pending.has(key)) return;
  const bucket = minute();
  bucket.sent++;
  const timer = setTimeout(() => {
    pending.delete(key);
    bucket.lost++;
    outcome?.(undefined);
  }, TIMEOUT_MS);
  pending.set(key, { at: Date.now(), bucket, timer, outcome });
  sockets[index]!.send(build(identifier), port, '127.0.0.1');
}

/** A phone signs in on one instance's portal; its AP presents the credential to the other instance. */
let phones = 0;
let walking = 0;
/** Why walks failed ("HTTP 500 at /login"), and the seconds into the run of the first and last. */
const failures = new Map<string, { count: number; first: number; last: number }>();
async function portalLogin(portalSide: number): Promise<void> {
  const bucket = minute().portal;
  if (walking >= PORTAL_IN_FLIGHT) return void bucket.skipped++;
  walking++;
  bucket.walks++;
  const phone = { mac: mac(800_000 + (phones++ % 10_000)), ip: '10.77.0.9' };
  const user = Math.floor(Math.random() * Number(values.users));
  const at = Date.now();
  try {
    const walk = await walkPortal(`http://127.0.0.1:${instances[portalSide]!.http}/`, AP, phone, { username: `pupil${user}`, password: `pupil-password-${user}` }, PORTAL_TIMEOUT_MS);
    bucket.pages += walk.pages;
    bucket.logins++;
    bucket.walkMs.push(Date.now() - at);
    send(instances[1 - portalSide]!.auth, (id) => accessRequest(SECRET, chilliAccessAttributes(walk.release, AP, phone.mac), { identifier: id }), (code) => {
      if (code === undefined) bucket.lost++;
      else if (code === 2) bucket.accepts++;
      else bucket.rejects++;
    });
  } catch (error) {
    if ((error as Error).message.startsWith('HTTP 503')) bucket.busy++;
    else bucket.failed++;
    const second = Math.round((Date.now() - started) / 1000);
    const seen = failures.get((error as Error).message) ?? { count: 0, first: second, last: second };
    failures.set((error as Error).message, { ...seen, count: seen.count + 1, last: second });
  } finally {
    walking--;
  }
}

/** One request of the morning mix, to either instance. */
let session = 0;
let scheduled = 0;
const sessions: { id: string; mac: string; step: number }[] = [];
function request(): void {
  scheduled++;
  const side = Math.floor(Math.random() * 2);
  const target = instances[side]!;
  const roll = Math.random();
  if (roll < 0.5) {
    const device = mac(Math.floor(Math.random() * Number(values.devices)));
    send(target.auth, (id) => accessRequest(SECRET, [['User-Name', device], ['Service-Type', 'Call-Check'], ['Calling-Station-Id', device]], { identifier: id }));
  } else if (roll < 0.55) {
    const user = Math.floor(Math.random() * Number(values.users));
    send(target.auth, (id) => accessRequest(SECRET, [['User-Name', `pupil${user}`], ['User-Password', `pupil-password-${user}`], ['Calling-Station-Id', mac(900_000 + user)]], { identifier: id }));
  } else if (roll < 0.6) {
    void portalLogin(side);
  } else {
    if (sessions.length < 500 || Math.random() < 0.05) sessions.push({ id: `soak-${session++}`, mac: mac(700_000 + session), step: 0 });
    const live = sessions[Math.floor(Math.random() * sessions.length)]!;
    const status = live.step === 0 ? 'Start' : live.step >= 12 ? 'Stop' : 'Interim-Update';
    if (status === 'Stop') sessions.splice(sessions.indexOf(live), 1);
    const step = live.step++;
    send(target.acct, (id) => accountingRequest(SECRET, [['Acct-Status-Type', status], ['Acct-Session-Id', live.id], ['Calling-Station-Id', live.mac], ['Acct-Output-Octets', step * 100_000]], id));
  }
}

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const started = Date.now();
const sampler = setInterval(() => {
  const bucket = minute();
  bucket.rss = instances.map(({ child }) => rss(child.pid!));
  void seed.info('memory').then((info) => (bucket.redisBytes = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0)), () => undefined);
}, 10_000);
let failover: { killedAt: number; promotedMs?: number } | undefined;
const killTimer = setTimeout(() => void (async () => {
  const old = await sentinels.master();
  failover = { killedAt: Date.now() };
  process.kill(old.pid, 'SIGKILL');
  await sentinels.failedOverFrom(old.port, 30_000);
  failover.promotedMs = Date.now() - failover.killedAt;
  sentinels.restart(old.port);
})(), (MINUTES * 60_000) / 2);

const end = started + MINUTES * 60_000;
while (Date.now() < end) {
  const due = Math.floor(((Date.now() - started) / 1000) * RATE);
  while (scheduled < due) request();
  await new Promise((resolve) => setTimeout(resolve, 5));
}
// Phones still on the portal finish (or time out), then their APs' requests are answered or lost.
for (const until = Date.now() + PORTAL_TIMEOUT_MS; walking > 0 && Date.now() < until;) await new Promise((resolve) => setTimeout(resolve, 50));
await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 200));
clearInterval(sampler);
clearTimeout(killTimer);

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
console.log(`soak: ${MINUTES} min at ${RATE} req/s over two instances; master SIGKILLed at ${MINUTES / 2} min, a replica promoted after ${failover?.promotedMs ?? '?'} ms`);
console.log('| minute | sent | answered | lost | p50 ms | p99 ms | RSS A MB | RSS B MB | Redis used MB |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [index, bucket] of minutes.entries()) {
  if (!bucket?.sent) continue;
  const sorted = bucket.latencies.sort((a, b) => a - b);
  console.log(`| ${index + 1} | ${bucket.sent} | ${bucket.answered} | ${bucket.lost} | ${percentile(sorted, 50)} | ${percentile(sorted, 99)} | ${mb(bucket.rss[0] ?? 0)} | ${mb(bucket.rss[1] ?? 0)} | ${mb(bucket.redisBytes)} |`);
}
const total = minutes.reduce((sum, bucket) => ({ sent: sum.sent + (bucket?.sent ?? 0), lost: sum.lost + (bucket?.lost ?? 0) }), { sent: 0, lost: 0 });
console.log(`total: ${total.sent} requests, ${total.lost} unanswered (${((100 * total.lost) / Math.max(1, total.sent)).toFixed(2)} %)`);

console.log('\nportal logins over HTTP (landing page → login form → release page on one instance, the AP\'s Access-Request to the other):');
console.log('| minute | walks | pages served | logins completed | walk p50 ms | walk p99 ms | busy (503) | failed | skipped | Access-Accept | rejected | lost replies |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const sum: Omit<Portal, 'walkMs'> = { walks: 0, pages: 0, logins: 0, busy: 0, failed: 0, skipped: 0, accepts: 0, rejects: 0, lost: 0 };
for (const [index, bucket] of minutes.entries()) {
  if (!bucket?.portal.walks) continue;
  const { walkMs, ...counts } = bucket.portal;
  for (const name of Object.keys(sum) as (keyof typeof sum)[]) sum[name] += counts[name];
  const sorted = walkMs.sort((a, b) => a - b);
  console.log(`| ${index + 1} | ${counts.walks} | ${counts.pages} | ${counts.logins} | ${percentile(sorted, 50)} | ${percentile(sorted, 99)} | ${counts.busy} | ${counts.failed} | ${counts.skipped} | ${counts.accepts} | ${counts.rejects} | ${counts.lost} |`);
}
for (const [reason, { count, first, last }] of failures) console.log(`portal walks failed: ${count} × ${reason} (${first}–${last} s into the run)`);
console.log(`portal total: ${sum.walks} walks, ${sum.pages} pages, ${sum.logins} logins, ${sum.accepts} accepted, ${sum.rejects} rejected, ${sum.lost} lost, ${sum.busy} busy, ${sum.failed} failed, ${sum.skipped} skipped`);

for (const { child } of instances) child.kill('SIGTERM');
for (const socket of sockets) socket.close();
seed.disconnect();
await sentinels.close();
process.exit(0);
