// Portal HTTP fuzz: Mektep (this source tree, over its own redis-server) with one NAS per vendor
// dialect, then N mutated requests (lib/http-mutate.ts) at every portal route from many client
// addresses (127.x.y.z), as raw HTTP so malformed input arrives as written. Reports the status
// histogram, every 5xx with example requests, requests left unanswered, crashes and memory.
// Usage: npm run bench:fuzz-portal [-- --requests 50000 --seconds 1200 --concurrency 8]
import { connect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createStore } from '../src/store/index.js';
import { startFuzzTarget } from './lib/fuzz-target.js';
import { DIALECTS, nextRequest, type Browser, type RawRequest } from './lib/http-mutate.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '50000' }, seconds: { type: 'string', default: '1200' }, concurrency: { type: 'string', default: '8' }, root: { type: 'string', default: process.cwd() } } });
const REQUESTS = Number(values.requests);
const DEADLINE = Date.now() + Number(values.seconds) * 1000;
const ACTOR = 'fuzz';
const TIMEOUT_MS = 15_000;

interface Answer { status: number; head: string; body: string }

const target = await startFuzzTarget(values.root);

/** Sends raw bytes on a fresh connection from `localAddress`; resolves with the parsed answer. */
function send(request: RawRequest, localAddress: string): Promise<Answer | 'timeout' | 'connection-error'> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: target.http, localAddress });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { socket.destroy(); resolve('timeout'); }, TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer (the server closing on an oversized request) still has the answer: 'close' follows.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      const split = text.indexOf('\r\n\r\n');
      resolve(status ? { status, head: text.slice(0, split), body: text.slice(split + 4) } : 'connection-error');
    });
    const body = request.body ?? Buffer.alloc(0);
    const head = [`${request.method} ${request.path} HTTP/1.1`, `Host: 127.0.0.1:${target.http}`, 'Connection: close', ...request.headers.map(([k, v]) => `${k}: ${v}`)];
    if (request.body || request.method === 'POST') head.push(`Content-Length: ${body.length}`);
    // write, not end: a half-closed client connection may be dropped before it is answered.
    socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
  });
}

async function prepare(): Promise<void> {
  const store = createStore(target.redis.client());
  await store.schools.add({ id: 'fz', name: 'Fuzz school' }, ACTOR);
  const nas: [string, Record<string, unknown>][] = [
    ['10.1.0.1', { vendor: 'chilli', nasId: 'chilli-7', uamSecret: 'fuzz-uam-secret' }], ['10.2.0.1', { vendor: 'mikrotik', nasId: 'hs-1' }], ['1.1.1.1', { vendor: 'cisco' }],
    ['10.3.0.1', { vendor: 'aruba', nasId: 'ap-12', loginUrl: 'https://securelogin.arubanetworks.com/cgi-bin/login' }], ['10.4.0.1', { vendor: 'meraki', loginUrl: 'https://n1.network-auth.com/splash/login' }],
    ['10.5.0.1', { vendor: 'fortinet' }], ['10.6.0.1', { vendor: 'opennds', nasId: 'lib-1', uamSecret: 'fuzz-faskey' }], ['10.8.0.1', { vendor: 'unifi', nasId: 'default', controllerUrl: 'https://127.0.0.1:1/' }],
    ['10.7.0.1', { vendor: 'generic' }],
  ];
  for (const [address, settings] of nas) {
    try {
      await store.nas.add(address, { secret: `fuzz-secret-${address}`, school: 'fz', ...settings } as Parameters<typeof store.nas.add>[1], ACTOR);
    } catch (error) {
      // A tree without a setting (say, loginUrl) still gets the NAS, and the fuzz goes on.
      console.error(`NAS ${address}: ${(error as Error).message}; added without its optional settings`);
      await store.nas.add(address, { secret: `fuzz-secret-${address}`, school: 'fz', vendor: settings.vendor } as Parameters<typeof store.nas.add>[1], ACTOR);
    }
  }
  for (let i = 0; i < 10; i++) await store.users.add({ username: `student${i}`, password: `fuzz-pass-${i}`, role: 'student', school: 'fz' }, ACTOR);
  await new Promise((resolve) => setTimeout(resolve, 1500));
}

/** A browser per client address: the landing page's cookies (the signed context among them). */
async function browsers(count: number): Promise<Browser[]> {
  const list: Browser[] = [];
  for (let i = 0; list.length < count && i < count * 5; i++) {
    const localAddress = `127.1.${i >> 8}.${(i & 255) + 1}`;
    const dialect = DIALECTS[i % DIALECTS.length]!;
    const answer = await send({ method: 'GET', path: `${dialect.path}?${dialect.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`, headers: [], label: 'prepare' }, localAddress);
    if (typeof answer === 'string') continue;
    const ctx = /^set-cookie: mk_ctx=([^;\r\n]+)/im.exec(answer.head)?.[1];
    const cookie = [...answer.head.matchAll(/^set-cookie: ([^;\r\n]+)/gim)].map((m) => m[1]).join('; ');
    if (ctx) list.push({ localAddress, cookie, ctx });
  }
  if (list.length === 0) throw new Error('no landing page could be prepared: is the portal serving the dialects?');
  return list;
}

try {
  await prepare();
  const prepared = await browsers(40);
  const stats = { sent: 0, timeouts: 0, connectionErrors: 0, connectionErrorExamples: [] as string[], byStatus: {} as Record<string, number>, serverErrors: new Map<string, { count: number; examples: string[] }>() };
  const loadBefore = loadavg()[0]!.toFixed(1);
  const rssStart = target.rss();
  const peak = { ...rssStart };
  const started = Date.now();
  const sample = setInterval(() => {
    const now = target.rss();
    peak.node = Math.max(peak.node, now.node);
    peak.redis = Math.max(peak.redis, now.redis);
    process.stderr.write(`${Math.round((Date.now() - started) / 1000)} s: ${stats.sent} requests, node ${now.node.toFixed(0)} MB, redis ${now.redis.toFixed(0)} MB, 5xx ${[...stats.serverErrors.values()].reduce((s, e) => s + e.count, 0)}, crashes ${target.crashes.length}\n`);
  }, 10_000);

  async function worker(): Promise<void> {
    while (stats.sent < REQUESTS && Date.now() < DEADLINE) {
      stats.sent++;
      const { request, browser } = nextRequest(prepared);
      const answer = await send(request, browser?.localAddress ?? '127.0.0.1');
      if (answer === 'timeout') stats.timeouts++;
      else if (answer === 'connection-error') {
        stats.connectionErrors++;
        if (stats.connectionErrorExamples.length < 3) stats.connectionErrorExamples.push(`${request.label} | ${request.method} ${request.path.slice(0, 200)}`);
      }
      else {
        stats.byStatus[answer.status] = (stats.byStatus[answer.status] ?? 0) + 1;
        if (answer.status >= 500) {
          const key = `${answer.status} ${request.method} ${request.path.split('?')[0]!.slice(0, 60)} (${request.label.split(':')[0]})`;
          const entry = stats.serverErrors.get(key) ?? { count: 0, examples: [] };
          entry.count++;
          if (entry.examples.length < 3) entry.examples.push(`${request.label} | ${request.method} ${request.path.slice(0, 300)} | ${request.headers.map(([k]) => k).join(',')} | body ${request.body?.subarray(0, 200).toString('latin1') ?? '-'} → ${answer.body.slice(0, 160)}`);
          stats.serverErrors.set(key, entry);
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Number(values.concurrency) }, () => worker()));
  clearInterval(sample);
  const seconds = (Date.now() - started) / 1000;
  const rssEnd = target.rss();
  peak.node = Math.max(peak.node, rssEnd.node);
  peak.redis = Math.max(peak.redis, rssEnd.redis);
  const total5xx = [...stats.serverErrors.values()].reduce((s, e) => s + e.count, 0);

  console.log(`\n## Portal fuzz, ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadBefore} → ${loadavg()[0]!.toFixed(1)} (1 min)\n`);
  console.log('| requests | seconds | 5xx | unanswered (15 s) | connection errors | crashes | RSS MB start → peak → end (Node) |');
  console.log('|---:|---:|---:|---:|---:|---:|---|');
  console.log(`| ${stats.sent} | ${seconds.toFixed(0)} | ${total5xx} | ${stats.timeouts} | ${stats.connectionErrors} | ${target.crashes.length} | ${rssStart.node.toFixed(0)} → ${peak.node.toFixed(0)} → ${rssEnd.node.toFixed(0)} |`);
  console.log(`\nstatus histogram: ${JSON.stringify(stats.byStatus)}; browsers prepared: ${prepared.length}`);
  if (stats.connectionErrors) console.log(`connections closed without an answer, e.g.:\n  ${stats.connectionErrorExamples.join('\n  ')}`);
  for (const [key, entry] of stats.serverErrors) console.log(`\n${key} × ${entry.count}\n  ${entry.examples.join('\n  ')}`);
  for (const [error, count] of target.errors) console.log(`\nerror logged × ${count}: ${error}`);
  for (const crash of target.crashes) console.log(`\ncrash at ${crash.at} (${crash.exit}):\n  ${crash.lastLines.join('\n  ')}`);
} finally {
  await target.stop();
}
process.exit(0);
