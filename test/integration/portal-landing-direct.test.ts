// The landing page answered before Fastify (src/portal/landing-direct.ts), over real HTTP: for
// each request the direct answer's status, header lines (order included) and body are the very
// bytes the route in routes/entry.ts writes for the same request — security headers, CSP,
// Referrer-Policy, cache headers, the context cookie and its attributes — with only the Date line
// and the cookie's signature time told apart; whatever is not a plain, known, unsigned redirect
// (a language switch, a duplicated or over-long or doubtful parameter, an unknown or signed AP,
// a foreign Host, HEAD) is left to the route; the request metrics move either way; and at debug
// the request line is still written.
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { verifyContext } from '../../src/portal/context.js';
import { targetFromUrl } from '../../src/redis/connection.js';
import { createStore } from '../../src/store/index.js';
import { startListeningApp } from '../helpers/app.js';
import { freePort, waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let port: number;
const CHALLENGE = '00112233445566778899aabbccddeeff';
const redirect = (extra = '', nasid = 'direct-1') =>
  `/?res=notyet&uamip=10.30.0.1&uamport=3990&challenge=${CHALLENGE}&mac=00-1B-63-00-00-07&ip=10.30.0.9&nasid=${nasid}&userurl=http%3A%2F%2Fexample.org%2Fnews${extra}`;

beforeAll(async () => {
  const started = await startListeningApp();
  ({ server, app } = started);
  port = Number(new URL(started.base).port);
  await started.store.schools.add({ id: 'sch-d', name: 'Direct school' }, 'test');
  await started.store.nas.add('10.30.0.1', { secret: 'direct-secret-1', vendor: 'chilli', school: 'sch-d', nasId: 'direct-1' }, 'test');
  await started.store.nas.add('10.31.0.1', { secret: 'direct-secret-2', vendor: 'chilli', school: 'sch-d', nasId: 'direct-signed', uamSecret: 'uam-secret-1' }, 'test');
  await waitFor(async () => app.nasDirectory.byNasId('direct-signed'), 2000, 'the NAS clients');
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

interface Raw {
  status: string;
  lines: string[];
  body: Buffer;
}

/** One request as bytes on a socket, and the answer as bytes (Connection: close, read to the end). */
function raw(method: string, target: string, headers: Record<string, string> = {}): Promise<Raw> {
  const all = { Host: `127.0.0.1:${port}`, Connection: 'close', ...headers };
  const head = [`${method} ${target} HTTP/1.1`, ...Object.entries(all).map(([name, value]) => `${name}: ${value}`)];
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const [status = '', ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      resolve({ status, lines, body: all.subarray(split + 4) });
    });
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
  });
}

/** The lines with the Date left out and the context cookie's token checked and set aside (it
 * carries its signature time); the context it carries is returned to compare. */
function comparable(answer: Raw) {
  let context: unknown;
  const lines = answer.lines
    .filter((line) => !line.startsWith('Date: '))
    .map((line) => line.replace(/^set-cookie: mk_ctx=([^;]+)/, (_whole, token: string) => {
      context = verifyContext(token, app.sessionSecret);
      return 'set-cookie: mk_ctx=<token>';
    }));
  return { status: answer.status, lines, body: answer.body.toString('base64'), context };
}

async function metric(pattern: RegExp): Promise<number> {
  const text = (await raw('GET', '/metrics')).body.toString();
  return Number(pattern.exec(text)?.[1] ?? 0);
}
const directCount = () => metric(/^mektep_portal_landing_direct_total (\d+)$/m);
const landingCount = () => metric(/^mektep_http_requests_total\{method="GET",route="\/",status="200"\} (\d+)$/m);
const landingObserved = () => metric(/^mektep_http_request_duration_seconds_count\{method="GET",route="\/"\} (\d+)$/m);

// X-Forwarded-Host sends a request to the route (the direct answer leaves a proxy's name for the
// portal to Fastify); without TRUST_PROXY the route ignores it, so the answer is the route's own.
const toTheRoute = (headers: Record<string, string> = {}) => ({ ...headers, 'X-Forwarded-Host': `127.0.0.1:${port}` });

describe('the landing page answered before Fastify', () => {
  it.each([
    ['a CoovaChilli redirect', redirect(), {}],
    ['brotli', redirect(), { 'Accept-Encoding': 'gzip, deflate, br' }],
    ['gzip', redirect(), { 'Accept-Encoding': 'gzip' }],
    ['a Russian phone', redirect(), { 'Accept-Language': 'ru-RU,ru;q=0.9,en;q=0.8' }],
    ['the language cookie over Accept-Language', redirect(), { Cookie: 'mk_lang=kk', 'Accept-Language': 'ru' }],
    ['a stale context cookie beside it', redirect(), { Cookie: 'mk_ctx=forged.value; mk_lang=ru' }],
  ])('%s: the same bytes as the route, answered directly', async (_name, target, headers) => {
    const byRoute = await raw('GET', target, toTheRoute(headers));
    const before = await directCount();
    const direct = await raw('GET', target, headers);
    expect(await directCount()).toBe(before + 1);
    expect(direct.status).toBe('HTTP/1.1 200 OK');
    expect(comparable(direct)).toEqual(comparable(byRoute));
    expect(comparable(direct).context).toMatchObject({ vendor: 'chilli', nasId: 'direct-1', clientMac: '00:1b:63:00:00:07', originalUrl: 'http://example.org/news' });
  });

  it.each([
    ['an open redirect to the portal itself', `http%3A%2F%2F127.0.0.1%3APORT%2Flogin`],
    ['a javascript: URL', 'javascript%3Aalert(1)'],
  ])('%s is left out of the cookie, as by the route', async (_name, userurl) => {
    const target = redirect().replace(/userurl=[^&]*$/, `userurl=${userurl.replace('PORT', String(port))}`);
    await raw('GET', target, toTheRoute());
    const before = await directCount();
    const direct = comparable(await raw('GET', target));
    expect(await directCount()).toBe(before + 1);
    expect(direct.context).not.toHaveProperty('originalUrl');
    expect(direct).toEqual(comparable(await raw('GET', target, toTheRoute())));
  });

  it.each([
    ['a language switch (sets the language cookie)', 'GET', redirect('&lang=kk'), {}],
    ['a duplicated parameter', 'GET', `${redirect()}&mac=00-1B-63-00-00-08`, {}],
    ['an over-long parameter', 'GET', redirect(`&x=${'a'.repeat(2049)}`), {}],
    ['a "+" some parsers read as a space', 'GET', redirect('+today'), {}],
    ['a broken percent escape', 'GET', redirect('%zz'), {}],
    ['a parameter without "="', 'GET', `${redirect()}&flag`, {}],
    ['an unknown access point', 'GET', redirect('', 'nobody').replace('uamip=10.30.0.1', 'uamip=10.99.0.1'), {}],
    ['an access point that signs its redirect (uamsecret)', 'GET', redirect('', 'direct-signed'), {}],
    ['a foreign Host (a rebinding page)', 'GET', redirect(), { Host: 'evil.example' }],
    ['HEAD', 'HEAD', redirect(), {}],
    ['no vendor parameters', 'GET', '/?foo=bar', {}],
  ])('%s is left to the route', async (_name, method, target, headers) => {
    await raw(method, redirect());
    const before = await directCount();
    const answer = await raw(method, target, headers);
    expect(await directCount()).toBe(before);
    expect(answer.status).toMatch(/^HTTP\/1\.1 [2-5]\d\d /);
  });

  it('moves the request metrics, as the route does', async () => {
    await raw('GET', redirect());
    const [requests, observed, direct] = [await landingCount(), await landingObserved(), await directCount()];
    await raw('GET', redirect());
    expect([await landingCount(), await landingObserved(), await directCount()]).toEqual([requests + 1, observed + 1, direct + 1]);
  });
});

describe('at LOG_LEVEL=debug', () => {
  it('every landing request still writes its request line (the route answers it)', async () => {
    const written: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { written.push(chunk.toString()); done(); } });
    const redis = await startTestRedis();
    const debugPort = await freePort();
    const config = loadConfig({ REDIS_URL: redis.url, PUBLIC_URL: `http://127.0.0.1:${debugPort}`, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0', LOG_LEVEL: 'debug' });
    const debugApp = await buildApp({ config, logger: createLogger('debug', sink), redis: targetFromUrl(redis.url) });
    try {
      await debugApp.listen({ host: '127.0.0.1', port: debugPort });
      const store = createStore(redis.client());
      await store.nas.add('10.30.0.1', { secret: 'direct-secret-1', vendor: 'chilli', nasId: 'direct-1' }, 'test');
      await waitFor(async () => debugApp.nasDirectory.byNasId('direct-1'), 2000, 'the NAS client');
      for (let i = 0; i < 2; i++) expect((await fetch(`http://127.0.0.1:${debugPort}${redirect()}`)).status).toBe(200);
      const lines = written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg?: string; url?: string; statusCode?: number });
      expect(lines.filter((line) => line.msg === 'request' && line.url?.startsWith('/?res=notyet') && line.statusCode === 200)).toHaveLength(2);
    } finally {
      await debugApp.close();
      await redis.close();
    }
  });
});
