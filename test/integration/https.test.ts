import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { buildTestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'mk-tls-'));
let server: TestRedis;
let app: FastifyInstance;

beforeAll(async () => {
  // The self-signed pair the README tells operators to make for a trial.
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=wifi.school.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  server = await startTestRedis();
  app = await buildTestApp(server.url, { TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem'), PUBLIC_URL: 'https://wifi.school.test' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  // The portal serves links only from a registered access point.
  await createStore(server.client()).nas.add('10.0.0.1', { secret: 'tls-test-secret', vendor: 'generic' }, 'test');
  await waitFor(async () => app.nasDirectory.find('10.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await app?.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTPS', () => {
  it('serves the portal over TLS with Secure cookies and HSTS when given a certificate and key', async () => {
    const { port } = app.server.address() as { port: number };
    const response = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; cert: string }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/?login_url=http%3A%2F%2F10.0.0.1%2Flogin&mac=00-1B-63-00-00-01', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, cert: (res.socket as unknown as { getPeerCertificate(): { subject: { CN: string } } }).getPeerCertificate().subject.CN });
      }).on('error', reject);
    });
    expect(response.status).toBe(200);
    expect(response.cert).toBe('wifi.school.test');
    expect(String(response.headers['set-cookie'])).toMatch(/mk_ctx=[^;]+;.*Secure/);
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });
});
