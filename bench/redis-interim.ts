// Redis's CPU per accounting Interim-Update, taken apart. A redis-server started as Mektep's
// embedded one (append-only file, fsync every second) holds 2,000 live sessions (CIDR NAS, AP
// NAS-Identifier, school, client address: the shape of a school's controller); their
// Interim-Updates are recorded through the store (twice: the second pass captured with MONITOR,
// whatever the script's arguments), then replayed
// 10 times beside the floors: the same call to a script that returns at once (what passing the
// keys and arguments costs), the script's first read alone, one HINCRBY (what bench/radius.ts's
// "bare Node + one Redis write" sends) and a PING. Each is measured sent one at a time (as at
// 8,000 records/s, one command per round trip: Redis's read, reply and append-only-file writes
// each time) and pipelined (those costs shared). Prints Redis's CPU µs per call.
// Usage: npx tsx bench/redis-interim.ts [--sessions 2000] [--rounds 10]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../src/redis/embedded.js';
import { createStore } from '../src/store/index.js';
import { FIELD } from '../src/store/session-fields.js';
import type { AccountingRecord } from '../src/store/sessions.js';

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '10' } } });
const SESSIONS = Number(values.sessions);
const ROUNDS = Number(values.rounds);

const dir = mkdtempSync(join(tmpdir(), 'mk-redis-interim-'));
const server = await startEmbeddedRedis(dir);
const redis = new Redis({ path: server.socketPath });
const store = createStore(redis);

const record = (i: number, status: AccountingRecord['status'], octets: number): AccountingRecord => ({
  nas: '10.20.0.0/16', nasIp: `10.20.${i % 40}.1`, nasIdentifier: `school-${i % 40}-ap`, sessionId: `8060${String(i).padStart(4, '0')}-0000a1b2`,
  role: 'student', school: `school-${i % 40}`, mac: `3c:22:fb:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
  ip: `172.16.${i >> 8}.${i & 255}`, status, inOctets: octets, outOctets: octets,
});
for (let i = 0; i < SESSIONS; i++) await store.sessions.record(record(i, 'start', 0));
// One Interim-Update each first: the server then holds the script, and the calls captured are all EVALSHA.
for (let i = 0; i < SESSIONS; i++) await store.sessions.record(record(i, 'interim', 1));

// The Interim-Updates' script calls exactly as the store sends them.
const monitor = await redis.monitor();
const calls: string[][] = [];
monitor.on('monitor', (_time: string, args: string[], source: string) => {
  if (source !== 'lua' && args[0]?.toLowerCase() === 'evalsha') calls.push(args.slice(1));
});
// Totals no other argument spells, replaced every round (each Interim-Update raises them).
const [IN, OUT] = ['424242', '434343'];
for (let i = 0; i < SESSIONS; i++) await store.sessions.record({ ...record(i, 'interim', 0), inOctets: Number(IN), outOctets: Number(OUT) });
await redis.echo('captured');
while (calls.length < SESSIONS) await new Promise((resolve) => setTimeout(resolve, 10));
monitor.disconnect();

const redisCpu = async () => {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]);
};
const load = async (lua: string) => (await redis.script('LOAD', lua)) as string;
const [returns, firstRead] = [await load('return 1'), await load(`return redis.call('HMGET', KEYS[1], '${Object.values(FIELD).slice(0, 8).join("', '")}')`)];
const variants: [string, (call: string[], round: number) => string[]][] = [
  ['the Interim-Update script', (call, round) => call.map((arg) => (arg === IN || arg === OUT ? String(Number(arg) + 1 + round) : arg))],
  ['a script returning at once, same keys and arguments', (call) => [returns, ...call.slice(1)]],
  ['a script reading the session (HMGET of 8 fields)', (call) => [firstRead, '1', call[2]!]],
];

async function measure(send: (round: number, each: (command: string, args: string[]) => Promise<unknown>) => Promise<void>, pipelined: boolean): Promise<number> {
  const before = await redisCpu();
  for (let round = 0; round < ROUNDS; round++) {
    if (pipelined) {
      const pipeline = redis.pipeline();
      await send(round, (command, args) => Promise.resolve(pipeline.call(command, ...args)));
      await pipeline.exec();
    } else {
      await send(round, (command, args) => redis.call(command, ...args));
    }
  }
  return (((await redisCpu()) - before) / (ROUNDS * SESSIONS)) * 1e6;
}

const rows: [string, number, number][] = [];
for (const [name, args] of variants) {
  const run = (pipelined: boolean) => measure(async (round, each) => {
    for (const call of calls) await each('EVALSHA', args(call, round));
  }, pipelined);
  rows.push([name, await run(false), await run(true)]);
}
for (const [name, command, args] of [['one HINCRBY', 'HINCRBY', ['floor', 'n', '1']], ['PING', 'PING', []]] as const) {
  const run = (pipelined: boolean) => measure(async (_round, each) => {
    for (let i = 0; i < SESSIONS; i++) await each(command, [...args]);
  }, pipelined);
  rows.push([name, await run(false), await run(true)]);
}

console.log(`\n${new Date().toISOString()} · Redis ${(await redis.info('server')).match(/redis_version:(\S+)/)?.[1]} · ${SESSIONS} sessions × ${ROUNDS} rounds · ${calls[0]!.length} arguments per Interim-Update call (${calls[0]![1]} keys)\n`);
console.log('| Redis CPU µs per call | one at a time | pipelined |');
console.log('|---|---:|---:|');
for (const [name, one, piped] of rows) console.log(`| ${name} | ${one.toFixed(2)} | ${piped.toFixed(2)} |`);

redis.disconnect();
await server.stop();
rmSync(dir, { recursive: true, force: true });
