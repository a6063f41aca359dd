// RADIUS fuzz: Mektep (this source tree, over its own redis-server) with a NAS, users, devices,
// vouchers, one-time tokens and live sessions, then N mutated and re-signed Access-Request /
// Accounting-Request / Status-Server packets at both ports (see lib/radius-mutate.ts). Reports
// replies by code, drops, crashes, replies with a bad signature, Access-Accepts for a request
// whose credentials were mutated (or that must be refused anyway) and memory.
// Paced (--rate) so the drops counted are Mektep's decisions, not an overloaded 2-core machine.
// Usage: npm run bench:fuzz-radius [-- --packets 1000000 --seconds 1800 --rate 2500 --sockets 32]
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createStore } from '../src/store/index.js';
import { benchMacs } from './lib/packets.js';
import { startFuzzTarget } from './lib/fuzz-target.js';
import { mutate, replySigned, type Mutated } from './lib/radius-mutate.js';
import { seedMaker, type FuzzData } from './lib/radius-seeds.js';
import { freePort } from '../test/helpers/ports.js';

const { values } = parseArgs({
  options: { packets: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '1800' }, rate: { type: 'string', default: '2500' }, sockets: { type: 'string', default: '32' }, root: { type: 'string', default: process.cwd() } },
});
const PACKETS = Number(values.packets);
const RATE = Number(values.rate);
const DEADLINE = Date.now() + Number(values.seconds) * 1000;
const SECRET = 'fuzz-secret-0123456789';
const ACTOR = 'fuzz';
const TIMEOUT_MS = 2000;
const IN_FLIGHT = 256;

interface Pending { sent: Mutated; timer: NodeJS.Timeout }
interface Finding { count: number; examples: string[] }

const stats = {
  sent: 0, answered: 0, timedOut: 0, controlsDropped: 0, lateAnswers: 0, secondAnswers: 0, unverifiable: 0, unknownNasAnswered: 0, coaReceived: 0,
  byCode: {} as Record<number, number>, byKind: {} as Record<string, number>, controlsDroppedByKind: {} as Record<string, number>, controlAccepts: {} as Record<string, string>,
  acceptMutated: new Map<string, Finding>(), acceptOther: new Map<string, Finding>(), acceptForbidden: new Map<string, Finding>(),
};
const bump = (record: Record<string | number, number>, key: string | number) => (record[key] = (record[key] ?? 0) + 1);

function note(findings: Map<string, Finding>, key: string, sent: Mutated): void {
  const finding = findings.get(key) ?? { count: 0, examples: [] };
  finding.count++;
  if (finding.examples.length < 2) finding.examples.push(`${sent.seed.kind} [${sent.operations.join(', ') || 'unmutated'}] ${sent.packet.toString('hex').slice(0, 240)}`);
  findings.set(key, finding);
}

const target = await startFuzzTarget(values.root);
const coaSink = createSocket('udp4');
const coaPort = await freePort();
// The NAS's CoA port: every Disconnect / CoA is acknowledged (RFC 5176 §3.5), as an AP would.
coaSink.on('message', (request, peer) => {
  stats.coaReceived++;
  if (request.length < 20) return;
  const ack = Buffer.alloc(20);
  ack[0] = request[0] === 40 ? 41 : 44;
  ack[1] = request[1]!;
  ack.writeUInt16BE(20, 2);
  createHash('md5').update(ack.subarray(0, 4)).update(request.subarray(4, 20)).update(SECRET).digest().copy(ack, 4);
  coaSink.send(ack, peer.port, peer.address);
});
await new Promise<void>((resolve) => coaSink.bind(coaPort, '127.0.0.1', () => resolve()));

async function prepare(): Promise<FuzzData> {
  const store = createStore(target.redis.client());
  await store.schools.add({ id: 'fz', name: 'Fuzz school' }, ACTOR);
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', school: 'fz', rejectDelayMs: 0, coaPort }, ACTOR);
  await store.policies.set('student', undefined, { downRate: 5_000_000, upRate: 1_000_000, sessionTimeout: 28_800, dailyQuota: 2_000_000_000, maxDevices: 3, deviceLimitMode: 'evict-oldest' }, [], ACTOR);
  await store.policies.set('teacher', undefined, { maxDevices: 5, deviceLimitMode: 'refuse' }, [], ACTOR);
  const users = Array.from({ length: 30 }, (_, i) => ({ username: `student${i}`, password: `fuzz-pass-${i}` }));
  for (const [i, user] of users.entries()) await store.users.add({ ...user, role: i % 5 === 0 ? 'teacher' : 'student', school: 'fz' }, ACTOR);
  const macs = benchMacs(1500);
  const devices = macs.slice(0, 500);
  await store.devices.importCsv(`mac,role,school\n${devices.map((mac) => `${mac},student,fz`).join('\n')}\n`, { dryRun: false, actor: ACTOR });
  const vouchers = (await store.vouchers.create({ role: 'guest', school: 'fz', duration: 3600, uses: 1000, count: 20 }, ACTOR)).map((voucher) => voucher.code);
  const tokens = [];
  for (const mac of macs.slice(500, 1000)) tokens.push({ ...(await store.tokens.mint({ mac, nas: '127.0.0.1', role: 'student', school: 'fz' }, 3600)), mac });
  const sessions = Array.from({ length: 5000 }, (_, i) => ({ id: `fz-${i.toString(16)}`, mac: macs[i % macs.length]! }));
  return { users, devices, unknownMacs: macs.slice(1000), vouchers, tokens, classes: [], sessions };
}

interface Lane {
  socket: Socket;
  free: number[];
  pending: Map<number, Pending>;
  /** The last request each identifier carried once it was answered or given up: what a stray reply is checked against. */
  recent: Map<number, { authenticator: Buffer; outcome: 'answered' | 'timed out' }>;
  unknownNas: boolean;
}

async function lane(address: string): Promise<Lane> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  const state: Lane = { socket, free: Array.from({ length: IN_FLIGHT }, (_, i) => i), pending: new Map(), recent: new Map(), unknownNas: address !== '127.0.0.1' };
  socket.on('message', (reply) => {
    if (state.unknownNas) stats.unknownNasAnswered++;
    const entry = state.pending.get(reply[1]!);
    if (!entry || !replySigned(reply, entry.sent.authenticator, SECRET)) {
      // Not this request's answer: a late one, a second one, or one that verifies against nothing.
      const recent = state.recent.get(reply[1]!);
      if (recent && replySigned(reply, recent.authenticator, SECRET)) stats[recent.outcome === 'answered' ? 'secondAnswers' : 'lateAnswers']++;
      else stats.unverifiable++;
      return;
    }
    release(state, reply[1]!, 'answered');
    stats.answered++;
    bump(stats.byCode, reply[0]!);
    const { sent } = entry;
    const verdict = sent.judgement;
    if (reply[0] === 2 && verdict) {
      if (verdict.credentialChanges.length) note(stats.acceptMutated, `${sent.seed.kind}: ${verdict.credentialChanges.join(' + ')}`, sent);
      else if (verdict.otherChanges.length) note(stats.acceptOther, `${sent.seed.kind}: ${verdict.otherChanges.join(' + ')}`, sent);
      if (verdict.mustReject) note(stats.acceptForbidden, `${sent.seed.kind}${sent.operations.length ? ' (mutated)' : ''}`, sent);
    }
    if (!sent.operations.length && sent.seed.code === 1) stats.controlAccepts[sent.seed.kind] = `${reply[0] === 2 ? 'accepted' : 'refused'}`;
  });
  return state;
}

let wake: (() => void) | undefined;
function release(state: Lane, identifier: number, outcome: 'answered' | 'timed out'): void {
  const entry = state.pending.get(identifier);
  if (!entry) return;
  state.recent.set(identifier, { authenticator: entry.sent.authenticator, outcome });
  clearTimeout(entry.timer);
  state.pending.delete(identifier);
  state.free.push(identifier);
  wake?.();
}

/** Valid logins first: their Class values make the accounting seeds look like a real NAS's. */
async function collectClasses(data: FuzzData): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  socket.on('message', (reply) => {
    for (let offset = 20; offset + 2 <= reply.length && reply[offset + 1]! >= 2; offset += reply[offset + 1]!) {
      if (reply[offset] === 25) data.classes.push(Buffer.from(reply.subarray(offset + 2, offset + reply[offset + 1]!)));
    }
  });
  const make = seedMaker(data);
  for (let i = 0; i < 400; i++) {
    const seed = make();
    if (seed.code !== 1 || seed.mustReject) continue;
    const sent = mutate(seed, { secret: SECRET, identifier: i % 256, control: 1 });
    socket.send(sent.packet, target.auth, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  socket.close();
}

/** Live sessions before the fuzz starts; resolves with how many starts were acknowledged. */
async function startSessions(data: FuzzData): Promise<number> {
  const socket = createSocket('udp4');
  let acknowledged = 0;
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  socket.on('message', () => acknowledged++);
  for (const [i, session] of data.sessions.entries()) {
    const make = seedMaker({ ...data, sessions: [session] });
    let seed = make();
    while (seed.kind !== 'acct-start') seed = make();
    socket.send(mutate(seed, { secret: SECRET, identifier: i % 256, control: 1 }).packet, target.acct, '127.0.0.1');
    if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
  socket.close();
  return acknowledged;
}

try {
  const data = await prepare();
  await collectClasses(data);
  const lanes = [...(await Promise.all(Array.from({ length: Number(values.sockets) }, () => lane('127.0.0.1')))), await lane('127.0.0.2')];
  const sessionsStarted = await startSessions(data);

  const loadBefore = loadavg()[0]!.toFixed(1);
  const rssStart = target.rss();
  const peak = { ...rssStart };
  const started = Date.now();
  const sample = setInterval(() => {
    const now = target.rss();
    peak.node = Math.max(peak.node, now.node);
    peak.redis = Math.max(peak.redis, now.redis);
    process.stderr.write(`${Math.round((Date.now() - started) / 1000)} s: ${stats.sent} sent, ${stats.answered} answered, ${stats.timedOut} dropped, node ${now.node.toFixed(0)} MB, redis ${now.redis.toFixed(0)} MB, crashes ${target.crashes.length}\n`);
  }, 10_000);

  const make = seedMaker(data);
  let turn = 0;
  while (stats.sent < PACKETS && Date.now() < DEADLINE) {
    const due = started + (stats.sent / RATE) * 1000;
    if (due > Date.now() + 5) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const state = lanes[turn++ % lanes.length]!;
    // One packet in fifty comes from an address that is no NAS: it must never be answered.
    if (state.unknownNas && turn % 50 !== 0) continue;
    if (state.free.length === 0) {
      if (lanes.every((l) => l.free.length === 0)) await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    // Oldest free identifier first: a late reply then still finds its own request in `recent`.
    const identifier = state.free.shift()!;
    const sent = mutate(make(), { secret: SECRET, identifier, control: 0.03 });
    const timer = setTimeout(() => {
      if (!state.pending.has(identifier)) return;
      stats.timedOut++;
      if (!sent.operations.length && !state.unknownNas) {
        stats.controlsDropped++;
        bump(stats.controlsDroppedByKind, sent.seed.kind);
      }
      release(state, identifier, 'timed out');
    }, TIMEOUT_MS);
    state.pending.set(identifier, { sent, timer });
    stats.sent++;
    bump(stats.byKind, sent.seed.kind);
    state.socket.send(sent.packet, sent.port === 'auth' ? target.auth : target.acct, '127.0.0.1');
    if (stats.sent % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  while (lanes.some((l) => l.pending.size > 0)) await new Promise((resolve) => setTimeout(resolve, 100));
  clearInterval(sample);
  const seconds = (Date.now() - started) / 1000;
  const rssEnd = target.rss();
  peak.node = Math.max(peak.node, rssEnd.node);
  peak.redis = Math.max(peak.redis, rssEnd.redis);
  const dropReasons = (await fetch(`http://127.0.0.1:${target.http}/metrics`).then((r) => r.text(), () => ''))
    .split('\n').filter((line) => line.startsWith('mektep_radius_dropped_total{')).map((line) => line.replace('mektep_radius_dropped_total', '')).join(', ');

  const cpu = cpus()[0]?.model ?? 'cpu';
  console.log(`\n## RADIUS fuzz, ${new Date().toISOString()}, ${cpus().length} × ${cpu}, Node ${process.version}, load average ${loadBefore} → ${loadavg()[0]!.toFixed(1)} (1 min)\n`);
  console.log(`| packets sent | seconds | answered | dropped (no answer in ${TIMEOUT_MS / 1000} s) | unmutated requests dropped | crashes | answers after 2 s | second answers | replies verifying against nothing | answers to a non-NAS | Accept for a mutated credential | Accept for a must-refuse request |`);
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const sum = (findings: Map<string, Finding>) => [...findings.values()].reduce((total, f) => total + f.count, 0);
  console.log(`| ${stats.sent} | ${seconds.toFixed(0)} | ${stats.answered} | ${stats.timedOut} | ${stats.controlsDropped} | ${target.crashes.length} | ${stats.lateAnswers} | ${stats.secondAnswers} | ${stats.unverifiable} | ${stats.unknownNasAnswered} | ${sum(stats.acceptMutated)} | ${sum(stats.acceptForbidden)} |`);
  console.log(`\nreplies by code: ${JSON.stringify(stats.byCode)}; live sessions started before: ${sessionsStarted} of ${data.sessions.length}; CoA/Disconnect sent to the NAS: ${stats.coaReceived}`);
  console.log(`packets by seed: ${JSON.stringify(stats.byKind)}`);
  console.log(`last unmutated answers: ${JSON.stringify(stats.controlAccepts)}; unmutated dropped by seed: ${JSON.stringify(stats.controlsDroppedByKind)}`);
  console.log(`RSS MB (Node / Redis): start ${rssStart.node.toFixed(0)} / ${rssStart.redis.toFixed(0)}, peak ${peak.node.toFixed(0)} / ${peak.redis.toFixed(0)}, end ${rssEnd.node.toFixed(0)} / ${rssEnd.redis.toFixed(0)}`);
  console.log(`Mektep's drop counters: ${dropReasons || '(not readable)'}`);
  console.log(`Accepts with only secondary changes (first credential values intact): ${sum(stats.acceptOther)}; ${[...stats.acceptOther].map(([key, f]) => `${key} × ${f.count}`).join('; ')}`);
  for (const [title, findings] of [['Accept for a mutated credential', stats.acceptMutated], ['Accept for a must-refuse request', stats.acceptForbidden]] as const) {
    for (const [key, finding] of findings) console.log(`\n${title}: ${key} × ${finding.count}\n  ${finding.examples.join('\n  ')}`);
  }
  for (const [error, count] of target.errors) console.log(`\nerror logged × ${count}: ${error}`);
  for (const crash of target.crashes) console.log(`\ncrash at ${crash.at} (${crash.exit}):\n  ${crash.lastLines.join('\n  ')}`);
  for (const state of lanes) state.socket.close();
} finally {
  await target.stop();
  coaSink.close();
}
process.exit(0);
