// The content filter: memory and build time of a 1-million-name category (Mektep's hash set vs
// a Set<string> vs a packed buffer), import and load through Redis, then dnsperf against
// Mektep's resolver (that category loaded, queries from an address with a live session) and
// against dnsmasq forwarding the same queries to the same upstream, side by side.
// Usage: npm run bench:dns [-- --domains 1000000 --seconds 10 --no-dnsperf]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../src/redis/embedded.js';
import { ensureDebianPackages } from '../src/setup/debian.js';
import { createContentCategoryStore } from '../src/store/content-categories.js';
import { dig, startDnsmasq } from '../test/helpers/dns.js';
import { freePort } from '../test/helpers/ports.js';
import { radclient } from '../test/helpers/radclient.js';
import { childPids, totalCpu } from './lib/cpu.js';
import { generateNames, measureStructures } from './lib/dns-lists.js';

const { values } = parseArgs({ options: { domains: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '10' }, dnsperf: { type: 'boolean', default: true } }, allowNegative: true });
const DOMAINS = Number(values.domains);
const SECONDS = Number(values.seconds);
const SECRET = 'bench-secret-123';
const CLIENT = '127.0.0.21';

if (!ensureDebianPackages([{ command: 'redis-server', pkg: 'redis-server' }, { command: 'dig', pkg: 'bind9-dnsutils' }, { command: 'dnsmasq', pkg: 'dnsmasq-base' }, { command: 'dnsperf', pkg: 'dnsperf' }, { command: 'radclient', pkg: 'freeradius-utils' }])) process.exit(1);

const dir = mkdtempSync(join(tmpdir(), 'mk-bench-dns-'));
const children: ChildProcess[] = [];
const fmt = (n: number, digits = 0) => (Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

async function lists(): Promise<string> {
  const { rows, parseMs, text } = measureStructures(DOMAINS);
  console.log(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · ${fmt(DOMAINS)} names\n`);
  console.log(`parse (hosts format, ${fmt(DOMAINS)} lines): ${fmt(parseMs)} ms CPU\n`);
  console.log('| structure | MB per million names | build, CPU ms | lookup, CPU ns (subdomain probe) |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.structure} | ${fmt(row.bytesPerMillion / 1e6, 1)} | ${fmt(row.buildMs)} | ${fmt(row.lookupNs)} |`);

  const server = await startEmbeddedRedis(join(dir, 'redis-import'));
  const redis = new Redis({ path: server.socketPath });
  try {
    const before = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    const categories = createContentCategoryStore(redis);
    let started = Date.now();
    const report = await categories.import('bench', text, true, 'bench');
    const importMs = Date.now() - started;
    const after = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    started = Date.now();
    const set = await categories.load('bench');
    const loadMs = Date.now() - started;
    console.log(`\nimport into Redis (parse, deflate, write, collision check): ${fmt(importMs)} ms for ${fmt(report.domains)} names, ${report.collisions} collisions; Redis holds ${fmt((after - before) / 1e6, 1)} MB`);
    console.log(`load from Redis into memory (what each instance does at start and on change): ${fmt(loadMs)} ms, ${fmt(set.bytes / 1e6, 1)} MB`);
  } finally {
    redis.disconnect();
    await server.stop();
  }
  return text;
}

interface Target {
  name: string;
  port: number;
  pids: () => number[];
}

async function startMektep(upstream: number, listFile: string): Promise<Target> {
  const [http, auth, acct, dns] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env, DATA_DIR: join(dir, 'mektep'), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: String(auth),
    RADIUS_ACCT_PORT: String(acct), DNS_HOST: '127.0.0.1', DNS_PORT: String(dns), DNS_UPSTREAM: `127.0.0.1:${upstream}`, DNS_BLOCK_ADDRESS: '10.66.0.1', DNS_CLIENT_RATE: '0', LOG_LEVEL: 'warn',
  };
  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['src/cli/bin.js', ...args], { env, encoding: 'utf8', input: 'bench-password' });
    if (result.status !== 0) throw new Error(`mektep ${args.join(' ')}: ${result.stderr}`);
  };
  cli('school', 'add', 'bench', '--name', 'Bench school');
  cli('nas', 'add', '127.0.0.1', '--secret', SECRET, '--vendor', 'chilli', '--school', 'bench');
  cli('user', 'add', 'pupil', '--role', 'student', '--school', 'bench', '--password-stdin');
  cli('content', 'import', 'adult', listFile);
  const child = spawn(process.execPath, ['dist/server.js'], { env, stdio: 'inherit' });
  children.push(child);
  const deadline = Date.now() + 60_000;
  while ((await dig(dns, CLIENT, 'www.bench.test')).status !== 'NOERROR') {
    if (Date.now() > deadline) throw new Error('Mektep did not start');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const login = await radclient(auth, 'auth', SECRET, 'User-Name=pupil,User-Password=bench-password,Message-Authenticator=0x00');
  await radclient(acct, 'acct', SECRET, `Acct-Status-Type=Start,Acct-Session-Id=bench-1,User-Name=pupil,Framed-IP-Address=${CLIENT},Class=${login.attributes.Class?.[0] ?? ''}`);
  return { name: `Mektep (${fmt(DOMAINS)}-name category, session lookup, filter)`, port: dns, pids: () => [child.pid!, ...childPids(child.pid!)] };
}

function dnsperf(port: number, queryFile: string): Promise<{ qps: number; sent: number; completed: number; lost: number; avgMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-a', CLIENT, '-d', queryFile, '-l', String(SECONDS), '-c', '4', '-q', '200']);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN);
      resolve({ qps: number(/Queries per second:\s+([\d.]+)/), sent: number(/Queries sent:\s+(\d+)/), completed: number(/Queries completed:\s+(\d+)/), lost: number(/Queries lost:\s+(\d+)/), avgMs: number(/Average Latency \(s\):\s+([\d.]+)/) * 1000 });
    });
  });
}

async function queryLoad(text: string): Promise<void> {
  const upstream = await startDnsmasq(['--txt-record=ready.upstream.test,ok', '--address=/bench.test/10.1.0.1', '--address=/google.com/142.250.0.1', '--host-record=forcesafesearch.google.com,216.239.38.120']);
  children.push({ kill: () => void upstream.stop() } as unknown as ChildProcess);
  const listFile = join(dir, 'adult.txt');
  writeFileSync(listFile, text);
  // A third allowed, a third blocked (names of the loaded list), a third SafeSearch.
  const names = generateNames(DOMAINS);
  const queries = Array.from({ length: 30_000 }, (_, i) => (i % 3 === 0 ? `site${i % 2000}.bench.test A` : i % 3 === 1 ? `${names[(i * 7919) % names.length]} A` : 'www.google.com A'));
  const queryFile = join(dir, 'queries.txt');
  writeFileSync(queryFile, `${queries.join('\n')}\n`);

  const forwarderPort = await freePort();
  const forwarder = spawn('dnsmasq', ['--keep-in-foreground', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--user=root', '--pid-file', '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${forwarderPort}`, `--server=127.0.0.1#${upstream.port}`, '--cache-size=10000'], { stdio: 'ignore' });
  children.push(forwarder);
  while ((await dig(forwarderPort, CLIENT, 'www.bench.test')).status !== 'NOERROR') await new Promise((resolve) => setTimeout(resolve, 200));
  const targets: Target[] = [await startMektep(upstream.port, listFile), { name: 'dnsmasq 2.90 (forwarding, cache 10 000)', port: forwarderPort, pids: () => [forwarder.pid!] }];

  console.log(`\ndnsperf, ${SECONDS} s per server, 200 queries in flight, from ${CLIENT} (a live student session; Mektep's per-client limit off, DNS_CLIENT_RATE=0); 1/3 allowed, 1/3 blocked, 1/3 SafeSearch\n`);
  console.log('| server | queries/s | avg latency ms | lost | CPU s / 10k queries |');
  console.log('|---|---:|---:|---:|---:|');
  for (const target of targets) {
    await dnsperf(target.port, queryFile);
    const before = totalCpu(target.pids());
    const result = await dnsperf(target.port, queryFile);
    const cpu = totalCpu(target.pids()) - before;
    console.log(`| ${target.name} | ${fmt(result.qps)} | ${fmt(result.avgMs, 2)} | ${fmt(result.lost)} | ${fmt((cpu / result.completed) * 10_000, 3)} |`);
  }
}

try {
  const text = await lists();
  if (values.dnsperf) await queryLoad(text);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  rmSync(dir, { recursive: true, force: true });
}
