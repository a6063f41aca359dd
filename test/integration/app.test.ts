import { createSocket } from 'node:dgram';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { runCli, waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
});
afterAll(async () => {
  await app?.close();
  await server.close();
});

async function metric(name: string): Promise<number> {
  const text = (await app.inject('/metrics')).body;
  const line = text.split('\n').find((row) => row.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

function sendUdp(port: number, payload: Buffer): Promise<void> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => socket.send(payload, port, '127.0.0.1', (error) => {
    socket.close();
    if (error) reject(error);
    else resolve();
  }));
}

describe('health and metrics', () => {
  it('says it is alive and ready when Redis answers, both RADIUS sockets are bound and the devices are loaded', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', radius: 'ok', devices: 'ok' } });
    expect(app.radius.auth.port()).toBeGreaterThan(0);
    expect(app.radius.acct.port()).not.toBe(app.radius.auth.port());
  });

  it('serves Prometheus metrics with HTTP request counts and latencies', async () => {
    await app.inject('/healthz');
    const response = await app.inject('/metrics');
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toMatch(/mektep_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(response.body).toContain('mektep_http_request_duration_seconds_bucket');
    expect(response.body).toContain('mektep_process_cpu_seconds_total');
  });

  it('counts a RADIUS packet from an unknown address as dropped, and sends nothing back', async () => {
    const before = await metric('mektep_radius_dropped_total{reason="unknown-nas"}');
    await sendUdp(app.radius.auth.port(), Buffer.alloc(20, 1));
    await waitFor(async () => ((await metric('mektep_radius_dropped_total{reason="unknown-nas"}')) > before ? true : undefined), 2000, 'the drop counter');
  });
});

describe('changes from the CLI', () => {
  it('reach the running server within a second', async () => {
    expect(app.nasDirectory.find('10.77.0.9')).toBeUndefined();
    await expect(runCli(['school', 'add', 'sch-77', '--name', 'School 77'], { REDIS_URL: server.url })).resolves.toMatchObject({ code: 0 });
    const added = await runCli(['nas', 'add', '10.77.0.0/24', '--secret', 'sharedsecret1', '--vendor', 'mikrotik', '--school', 'sch-77'], { REDIS_URL: server.url });
    expect(added.code).toBe(0);
    const started = Date.now();
    const nas = await waitFor(async () => app.nasDirectory.find('10.77.0.9'), 1000, 'the new NAS');
    expect(nas).toMatchObject({ address: '10.77.0.0/24', school: 'sch-77', secret: 'sharedsecret1' });
    expect(Date.now() - started).toBeLessThan(1000);
    await runCli(['nas', 'remove', '10.77.0.0/24'], { REDIS_URL: server.url });
    await waitFor(async () => (app.nasDirectory.find('10.77.0.9') === undefined ? true : undefined), 1000, 'the removal');
  });
});

describe('when Redis goes away', () => {
  it('reports not ready, counts Redis errors, and recovers by itself when Redis returns', async () => {
    await server.stop();
    const down = await waitFor(async () => {
      const response = await app.inject('/readyz');
      return response.statusCode === 503 ? response.json<{ checks: { redis: string } }>() : undefined;
    }, 5000, 'readyz to fail');
    expect(down.checks.redis).toBe('unreachable');
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await waitFor(async () => ((await metric('mektep_redis_errors_total')) > 0 ? true : undefined), 5000, 'a Redis error to be counted');

    await server.start();
    await waitFor(async () => ((await app.inject('/readyz')).statusCode === 200 ? true : undefined), 10_000, 'readyz to recover');
    // The change feed resubscribed too: a write made now still reaches the server.
    await runCli(['nas', 'add', '10.78.0.1', '--secret', 'sharedsecret1', '--vendor', 'generic'], { REDIS_URL: server.url });
    await waitFor(async () => app.nasDirectory.find('10.78.0.1'), 2000, 'a NAS added after the outage');
  });
});
