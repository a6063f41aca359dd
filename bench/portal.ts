// The portal under load, side by side in one run:
//  1. the landing page (wrk, 10 s after 2 s of warm-up, 2 threads, 32 connections) against Mektep, against a bare
//     Node HTTP server sending the same bytes (header lines included), and against Fastify with
//     one route sending them (the framework's floor): requests/s and server CPU seconds per 10k requests;
//  2. a login storm: N students of one school signing in spread over S seconds through the full
//     flow (portal page → POST /login → the release a CoovaChilli AP receives → RADIUS
//     Access-Request with the one-time token), reporting p50/p99 and errors.
// Usage: npm run bench:portal [-- --students 700 --seconds 60]; MEKTEP_PROFILE=<dir> writes a CPU profile of Mektep there.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDictionaries } from '../src/radius-wire/dictionary.js';
import { ensureDebianPackages } from '../src/setup/debian.js';
import { freePort } from '../test/helpers/ports.js';
import { childPids, totalCpu } from './lib/cpu.js';
import { captureLanding } from './lib/landing-answer.js';
import { percentile } from './lib/load.js';

const { values } = parseArgs({ options: { students: { type: 'string', default: '700' }, seconds: { type: 'string', default: '60' } } });
const STUDENTS = Number(values.students);
const SPREAD_MS = Number(values.seconds) * 1000;
const SECRET = 'bench-portal-secret';
if (!ensureDebianPackages([{ command: 'redis-server', pkg: 'redis-server' }, { command: 'wrk', pkg: 'wrk' }])) process.exit(1);

const dir = mkdtempSync(join(tmpdir(), 'mk-bench-portal-'));
const [http, auth, acct, bare, framework] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
const publicUrl = `http://127.0.0.1:${http}`;
const env = { ...process.env, DATA_DIR: join(dir, 'data'), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), PUBLIC_URL: publicUrl, RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: String(auth), RADIUS_ACCT_PORT: String(acct), LOG_LEVEL: 'warn' };
const cli = (...args: string[]) => spawnSync(process.execPath, ['src/cli/bin.js', ...args], { env, encoding: 'utf8' });
const challenge = randomBytes(16).toString('hex');
const entry = (mac: string) => `${publicUrl}/?res=notyet&uamip=127.0.0.1&uamport=3990&challenge=${challenge}&mac=${mac}&ip=10.0.0.9&nasid=bench&userurl=http%3A%2F%2Fexample.org%2F`;
const macOf = (i: number) => `00-1B-63-${[(i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('-')}`;

console.log(`preparing ${STUDENTS} students (password hashing takes a while)…`);
cli('school', 'add', 'bench', '--name', 'Bench school');
cli('nas', 'add', '127.0.0.1', '--secret', SECRET, '--vendor', 'chilli', '--school', 'bench', '--nas-id', 'bench');
writeFileSync(join(dir, 'students.csv'), `username,name,role,school,password\n${Array.from({ length: STUDENTS }, (_, i) => `s${i},Student ${i},student,bench,password-${i}`).join('\n')}\n`);
cli('user', 'import', join(dir, 'students.csv'));
const server = spawn(process.execPath, [...(process.env.MEKTEP_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.MEKTEP_PROFILE] : []), 'dist/server.js'], { env, stdio: 'inherit' });

async function wrk(url: string, pids: number[]): Promise<{ rps: number; requests: number; cpu: number }> {
  // Warmed up first, unmeasured: a running server has compiled its hot code long ago.
  spawnSync('wrk', ['-t2', '-c32', '-d2s', url]);
  const before = totalCpu(pids);
  const run = spawnSync('wrk', ['-t2', '-c32', '-d10s', url], { encoding: 'utf8' });
  const requests = Number(/(\d+) requests in/.exec(run.stdout)?.[1] ?? 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1] ?? 0), requests, cpu: totalCpu(pids) - before };
}

/** One student, as a browser and a CoovaChilli AP would do it; resolves with the milliseconds taken. */
async function student(i: number): Promise<number> {
  const started = performance.now();
  const mac = macOf(i);
  const page = await fetch(entry(mac));
  await page.text();
  // As a browser posts the form: the context cookie, and where the form comes from.
  const cookie = page.headers.getSetCookie().map((value) => value.split(';')[0]).join('; ');
  const login = await fetch(`${publicUrl}/login`, {
    method: 'POST', headers: { cookie, origin: publicUrl, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: `s${i}`, password: `password-${i}` }).toString(),
  });
  const release = await login.text();
  const action = /<form id="release" method="GET" action="([^"]+)"/.exec(release)?.[1];
  const fields = Object.fromEntries([...release.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
  if (!action || !fields.username || !fields.response) throw new Error(`student ${i}: no release (HTTP ${login.status})`);
  const packet = loadDictionaries().encode({
    code: 'Access-Request', identifier: i % 256, authenticator: randomBytes(16), secret: SECRET, add_message_authenticator: true,
    attributes: [['User-Name', fields.username], ['CHAP-Password', Buffer.concat([Buffer.from([0]), Buffer.from(fields.response, 'hex')])], ['CHAP-Challenge', Buffer.from(challenge, 'hex')], ['Calling-Station-Id', mac], ['NAS-Identifier', 'bench']],
  });
  const socket = createSocket('udp4');
  const reply = await new Promise<Buffer | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 5000);
    socket.on('message', (message) => { clearTimeout(timer); resolve(message); });
    socket.send(packet, auth, '127.0.0.1');
  });
  socket.close();
  if (reply?.[0] !== 2) throw new Error(`student ${i}: RADIUS answered ${reply?.[0] ?? 'nothing'}`);
  return performance.now() - started;
}

try {
  for (let tries = 0; tries < 150 && !(await fetch(`${publicUrl}/readyz`).then((r) => r.ok, () => false)); tries++) await new Promise((resolve) => setTimeout(resolve, 200));
  // The floors send one of Mektep's landing answers as it is, header lines and all (the
  // second: the first renders the page).
  const answer = join(dir, 'landing-answer.json');
  await captureLanding(entry(macOf(999_998)), answer);
  await captureLanding(entry(macOf(999_999)), answer);
  const bareServer = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/bare-http.ts', String(bare), answer], { stdio: 'inherit' });
  const fastifyServer = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/fastify-floor.ts', String(framework), answer], { stdio: 'inherit' });
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const mektep = await wrk(entry(macOf(1)), [server.pid!, ...childPids(server.pid!)]);
  const floor = await wrk(`http://127.0.0.1:${bare}/`, [bareServer.pid!]);
  const fastifyFloor = await wrk(`http://127.0.0.1:${framework}/`, [fastifyServer.pid!]);
  bareServer.kill('SIGTERM');
  fastifyServer.kill('SIGTERM');

  const latencies: number[] = [];
  const errors: string[] = [];
  const before = totalCpu([server.pid!, ...childPids(server.pid!)]);
  await Promise.all(Array.from({ length: STUDENTS }, (_, i) => new Promise<void>((resolve) => {
    setTimeout(() => void student(i).then((ms) => latencies.push(ms), (error: Error) => errors.push(error.message)).finally(resolve), (i / STUDENTS) * SPREAD_MS);
  })));
  const stormCpu = totalCpu([server.pid!, ...childPids(server.pid!)]) - before;
  latencies.sort((a, b) => a - b);

  console.log(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}\n`);
  console.log('| landing page | req/s | CPU s / 10k req |\n|---|---:|---:|');
  for (const [name, result] of [['Mektep (cached page, signed context cookie, headers)', mektep], ['bare Node, same bytes', floor], ['Fastify, one route, same bytes', fastifyFloor]] as const) {
    console.log(`| ${name} | ${Math.round(result.rps)} | ${((result.cpu / result.requests) * 10_000).toFixed(3)} |`);
  }
  console.log(`\nMektep ÷ bare Node: ${(mektep.cpu / mektep.requests / (floor.cpu / floor.requests)).toFixed(2)}×`);
  console.log(`\n| login storm | students | over | p50 ms | p99 ms | errors | server CPU s |\n|---|---:|---:|---:|---:|---:|---:|`);
  console.log(`| portal → release → RADIUS | ${STUDENTS} | ${SPREAD_MS / 1000} s | ${percentile(latencies, 50).toFixed(0)} | ${percentile(latencies, 99).toFixed(0)} | ${errors.length} | ${stormCpu.toFixed(2)} |`);
  if (errors.length) console.log(`first errors: ${errors.slice(0, 3).join('; ')}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  rmSync(dir, { recursive: true, force: true });
}
